/**
 * Building blocks shared by both kinds: references to Secrets, label selectors, conditions,
 * quantities, durations, URLs, cron expressions, time zones, and `withRule`, which attaches one
 * cross-field rule both as a CEL validation (enforced by the API server) and as a zod refinement
 * (enforced in process) so that the two report the same message at the same path.
 */
import { z } from 'zod';

export const GROUP = 'realestate.phoenix.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CATEGORY = 'phoenix';

/** The CEL rule key that the CRD generator copies into the OpenAPI schema. */
export const CEL_KEY = 'x-kubernetes-validations';

export interface CelRule {
  /** CEL expression evaluated by the API server with `self` bound to the annotated value. */
  rule: string;
  /** Message reported when the rule is false; it names the field. */
  message: string;
  /** Relative JSONPath of the field the error is reported on, e.g. `.maxReplicas`. */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** `.fieldPath` (`.a.b`) as a zod issue path (`['a', 'b']`). */
function issuePath(fieldPath: string | undefined): string[] {
  return fieldPath ? fieldPath.split('.').filter((p) => p !== '') : [];
}

/**
 * Attaches a cross-field rule twice: as a CEL rule for the API server and as a zod refinement
 * with the same message and path for in-process validation. `test` must mirror `rule`.
 */
export function withRule<T extends z.ZodType>(
  schema: T,
  rule: CelRule,
  test: (value: z.output<T>) => boolean,
): T {
  const previous = (z.globalRegistry.get(schema)?.[CEL_KEY] as CelRule[] | undefined) ?? [];
  const refined = schema.superRefine((value, ctx) => {
    if (!test(value))
      ctx.addIssue({ code: 'custom', message: rule.message, path: issuePath(rule.fieldPath) });
  });
  return refined.meta({ [CEL_KEY]: [...previous, rule] });
}

/** Marks a list as a set: the API server rejects duplicate items (`Duplicate value`). */
export function uniqueItems<T extends z.ZodArray<z.ZodType<string>>>(schema: T): T {
  const checked = schema.superRefine((items, ctx) => {
    const seen = new Set<string>();
    (items as string[]).forEach((item, index) => {
      if (seen.has(item))
        ctx.addIssue({ code: 'custom', message: `duplicate value "${item}"`, path: [index] });
      seen.add(item);
    });
  });
  return checked.meta({ 'x-kubernetes-list-type': 'set' });
}

/** Marks a list of objects as a map keyed by `key`: the API server rejects duplicate keys. */
export function uniqueBy<T extends z.ZodArray<z.ZodObject>>(schema: T, key: string): T {
  const checked = schema.superRefine((items, ctx) => {
    const seen = new Set<unknown>();
    items.forEach((item, index) => {
      const value = item[key];
      if (seen.has(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate ${key} ${JSON.stringify(value)}`,
          path: [index],
        });
      }
      seen.add(value);
    });
  });
  return checked.meta({
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': [key],
  });
}

export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export const secretKeyRefSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(253)
      .regex(DNS_SUBDOMAIN)
      .describe('Name of the Secret, in the same namespace as the resource.'),
    key: z.string().min(1).max(253).regex(SECRET_KEY).describe('Key within the Secret whose value is used.'),
  })
  .describe('Reference to one key of a Secret in the same namespace.');
export type SecretKeyRef = z.output<typeof secretKeyRefSchema>;

/** A Secret reference field with its own description: secrets never appear in the spec in plain text. */
export function secretRef(description: string): typeof secretKeyRefSchema {
  return secretKeyRefSchema.describe(`${description} Secrets are referenced, never written inline.`);
}

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const labelKeySchema = z.string().min(1).max(316).regex(LABEL_KEY);
export const labelValueSchema = z.string().max(63).regex(LABEL_VALUE);

/** A map of label keys to values. */
const MAX_LABELS = 64;

/**
 * A map of label keys to values. Values are checked by the schema; keys (which a structural
 * schema cannot constrain) by a CEL rule on the map, mirrored in process at the same path.
 */
export function labelMap(description: string) {
  const keyRule: CelRule = {
    rule: `self.all(k, size(k) <= 316 && k.matches(r'${LABEL_KEY.source}'))`,
    message: 'keys must be label keys ([prefix/]name)',
  };
  return z
    .record(z.string(), labelValueSchema)
    .superRefine((labels, ctx) => {
      const keys = Object.keys(labels);
      if (keys.length > MAX_LABELS) {
        ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_LABELS} labels` });
      }
      if (!keys.every((k) => k.length <= 316 && LABEL_KEY.test(k))) {
        ctx.addIssue({ code: 'custom', message: keyRule.message });
      }
    })
    .meta({ description, maxProperties: MAX_LABELS, [CEL_KEY]: [keyRule] });
}

export const labelSelectorRequirementSchema = z
  .strictObject({
    key: labelKeySchema.describe('Label key the requirement applies to.'),
    operator: z
      .enum(['In', 'NotIn', 'Exists', 'DoesNotExist'])
      .describe('Relation between the key and the values.'),
    values: z
      .array(labelValueSchema)
      .max(64)
      .optional()
      .describe('Values for In and NotIn; must be empty for Exists and DoesNotExist.'),
  })
  .describe('One label requirement.');

export const labelSelectorSchema = z
  .strictObject({
    matchLabels: labelMap('Labels that must all be present with these values.').optional(),
    matchExpressions: z
      .array(labelSelectorRequirementSchema)
      .max(16)
      .optional()
      .describe('Label requirements that must all hold.'),
  })
  .describe('A Kubernetes label selector; an empty selector selects everything.');
export type LabelSelector = z.output<typeof labelSelectorSchema>;

/** Kubernetes resource quantity (e.g. `500m`, `1Gi`, `2`). */
export const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

export function quantity(description: string) {
  return z
    .union([z.string().regex(QUANTITY), z.number().int().min(0)])
    .meta({ description, 'x-kubernetes-int-or-string': true });
}

export const resourceListSchema = z
  .strictObject({
    cpu: quantity('CPU, in cores or millicores (e.g. `500m`).').optional(),
    memory: quantity('Memory, in bytes with a suffix (e.g. `1Gi`).').optional(),
  })
  .describe('CPU and memory amounts.');

export const resourceRequirementsSchema = z
  .strictObject({
    requests: resourceListSchema.optional().describe('Resources the scheduler reserves for each pod.'),
    limits: resourceListSchema.optional().describe('Maximum resources each pod may use.'),
  })
  .describe('Compute resources of each pod.');
export type ResourceRequirements = z.output<typeof resourceRequirementsSchema>;

/** Prometheus/Alertmanager duration: one or more `<number><unit>` with unit ms, s, m, h, d, w or y. */
export const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

export function duration(description: string) {
  return z
    .string()
    .max(32)
    .regex(DURATION, { error: 'must be a duration such as 30s, 5m or 6h' })
    .describe(description);
}

export const HTTP_URL = /^https?:\/\/[^\s/?#]+([/?#][^\s]*)?$/;

export function httpUrl(description: string) {
  return z
    .string()
    .max(2048)
    .regex(HTTP_URL, { error: 'must be an http:// or https:// URL' })
    .describe(description);
}

/** A metav1.Condition, as used by kstatus (`kubectl wait --for=condition=Ready`). */
export const conditionSchema = z
  .object({
    type: z
      .string()
      .max(316)
      .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
      )
      .describe('Type of the condition: Ready, Progressing or Degraded (and kind-specific types).'),
    status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition.'),
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('metadata.generation the condition was computed from.'),
    lastTransitionTime: z.iso.datetime({ offset: true }).describe('When the status last changed.'),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe('CamelCase machine-readable reason for the last transition.'),
    message: z.string().max(32768).describe('Human-readable detail of the last transition.'),
  })
  .describe('An observation of one aspect of the resource.');
export type Condition = z.output<typeof conditionSchema>;

export function conditionsSchema(description: string) {
  return z
    .array(conditionSchema)
    .max(16)
    .meta({
      description,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    });
}

export const objectMetaSchema = z
  .looseObject({
    name: z.string().optional(),
    namespace: z.string().optional(),
    generation: z.number().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .describe('Standard object metadata.');
