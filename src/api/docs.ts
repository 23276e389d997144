/**
 * The API reference (docs/api.md), rendered from the same structural schemas as the CRDs.
 */
import { CATEGORY, GROUP, VERSION, type CelRule } from './common.ts';
import { buildCrd, KIND_DEFINITIONS, type CustomResourceDefinition } from './crd.ts';
import { walkOpenApi, type OpenApiSchema } from './openapi.ts';
import { SIZE_PRESETS, COLLECTOR_SIZES } from './size-presets.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${text}\``;
}

export function typeOf(node: OpenApiSchema): string {
  if (node['x-kubernetes-int-or-string']) return 'int-or-string';
  if (node['x-kubernetes-preserve-unknown-fields']) return 'object (free-form)';
  if (node.type === 'array') return `[]${node.items ? typeOf(node.items) : 'unknown'}`;
  if (node.type === 'object' && node.additionalProperties)
    return `map[string]${typeOf(node.additionalProperties)}`;
  return node.type ?? 'unknown';
}

function bounds(node: OpenApiSchema): string[] {
  const out: string[] = [];
  const lower = node.exclusiveMinimum ? '>' : '>=';
  const upper = node.exclusiveMaximum ? '<' : '<=';
  if (node.minimum !== undefined) out.push(`${lower} ${node.minimum}`);
  if (node.maximum !== undefined) out.push(`${upper} ${node.maximum}`);
  if (node.minLength !== undefined) out.push(`length >= ${node.minLength}`);
  if (node.maxLength !== undefined) out.push(`length <= ${node.maxLength}`);
  if (node.minItems !== undefined) out.push(`items >= ${node.minItems}`);
  if (node.maxItems !== undefined) out.push(`items <= ${node.maxItems}`);
  return out;
}

export function rulesOf(node: OpenApiSchema): string[] {
  const out = bounds(node);
  if (node.enum) out.push(`one of ${node.enum.map((v) => code(String(v))).join(', ')}`);
  if (node.format) out.push(`format ${node.format}`);
  if (node.pattern)
    out.push(node.pattern.length > 80 ? 'pattern (see the CRD)' : `pattern ${code(node.pattern)}`);
  if (node['x-kubernetes-list-type'] === 'set') out.push('unique items');
  const keys = node['x-kubernetes-list-map-keys'];
  if (keys) out.push(`unique by ${keys.join(', ')}`);
  for (const rule of (node['x-kubernetes-validations'] ?? []) as CelRule[]) out.push(rule.message);
  return out;
}

function defaultOf(node: OpenApiSchema): string {
  if (node.default === undefined) return '';
  if (node.type === 'object' && node.properties) return 'defaults of its fields';
  return code(JSON.stringify(node.default));
}

function fieldTable(schema: OpenApiSchema, root: string): string[] {
  const rows = [
    '| Field | Type | Required | Default | Validation | Description |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const requiredPaths = new Set<string>();
  walkOpenApi(
    schema,
    (node, path) => {
      for (const name of node.required ?? []) requiredPaths.add(path ? `${path}.${name}` : name);
      if (path === '' || path.endsWith('.*')) return;
      const full = `${root}.${path}`;
      rows.push(
        `| ${code(full)} | ${cell(typeOf(node))} | ${requiredPaths.has(path) ? 'yes' : ''} | ${cell(defaultOf(node))} | ${cell(rulesOf(node).join('; '))} | ${cell(node.description ?? '')} |`,
      );
    },
    '',
  );
  return rows;
}

function kindSection(crd: CustomResourceDefinition): string[] {
  const version = crd.spec.versions[0];
  if (!version) return [];
  const root = version.schema.openAPIV3Schema;
  const names = crd.spec.names;
  const scale = version.subresources.scale;
  const lines = [
    `## ${names.kind}`,
    '',
    root.description ?? '',
    '',
    `- API version: ${code(`${GROUP}/${VERSION}`)}, namespaced`,
    `- Names: ${code(names.plural)}, ${code(names.singular)}, short names ${names.shortNames.map(code).join(', ')}, category ${code(CATEGORY)}`,
    `- Subresources: status${scale ? `, scale (${code(scale.specReplicasPath)} / ${code(scale.statusReplicasPath)}, selector ${code(scale.labelSelectorPath)})` : ''}`,
    `- Printer columns: ${version.additionalPrinterColumns.map((c) => `${c.name} (${code(c.jsonPath)})`).join(', ')}`,
    '',
  ];
  for (const part of ['spec', 'status'] as const) {
    const schema = root.properties?.[part];
    if (!schema) continue;
    lines.push(`### ${part}`, '', schema.description ?? '', '', ...fieldTable(schema, part), '');
  }
  return lines;
}

function presetSection(): string[] {
  return [
    '## Size presets',
    '',
    'The scaling plan. `spec.collector.replicas` and `spec.collector.resources` override a preset field by field; requests equal limits.',
    '',
    '| Size | Replicas | CPU | Memory | Suggested maxReplicas | For |',
    '| --- | --- | --- | --- | --- | --- |',
    ...COLLECTOR_SIZES.map((size) => {
      const p = SIZE_PRESETS[size];
      return `| ${code(size)} | ${p.replicas} | ${p.cpu} | ${p.memory} | ${p.maxReplicas} | ${p.description} |`;
    }),
    '',
  ];
}

function celRules(crd: CustomResourceDefinition): string[] {
  const rows: string[] = [];
  const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
  if (!root) return rows;
  walkOpenApi(root, (node, path) => {
    for (const rule of (node['x-kubernetes-validations'] ?? []) as CelRule[]) {
      const field = `${path}${rule.fieldPath ?? ''}`;
      rows.push(
        `| ${crd.spec.names.kind} | ${code(field)} | ${cell(rule.message)} | ${cell(code(rule.rule))} |`,
      );
    }
  });
  return rows;
}

function validationSection(crds: CustomResourceDefinition[]): string[] {
  return [
    '## Validation',
    '',
    'The API server enforces the schema (types, patterns, enums, bounds, formats, unique lists) and the CEL rules below; `parsePhoenixMarket` / `parseMonitoringStack` (and `phoenix validate <file>`) report the same problems at the same paths without a cluster, e.g. `spec.zipCodes[2]: duplicate value "85003"`.',
    '',
    '- Secrets are only referenced: every `*SecretRef` is an object `{name, key}`, so a plaintext string (`tokenSecretRef: "abc"`) fails type validation, and a plaintext field next to it (`mongodb.uri`) leaves the required reference missing.',
    '- Unknown fields are rejected when the client asks for server-side field validation `Strict` (kubectl does by default); other clients should pass `fieldValidation=Strict`, otherwise the API server silently prunes unknown fields.',
    '- A cron schedule is checked by pattern on the server and parsed fully by croner in process; a time zone is checked by pattern and by converting a timestamp to it (CEL on the server, Intl in process).',
    '- Reading the scale subresource (an external HorizontalPodAutoscaler does) needs `spec.collector.replicas` set; `kubectl scale` sets it.',
    '',
    '| Kind | Field | Message | CEL rule |',
    '| --- | --- | --- | --- |',
    ...crds.flatMap(celRules),
    '',
  ];
}

export const DOCS_HEADER =
  '<!-- Code generated by `npm run generate` from the zod schemas in src/api. DO NOT EDIT. -->';

export function renderApiDocs(): string {
  const crds = KIND_DEFINITIONS.map(buildCrd);
  const lines = [
    DOCS_HEADER,
    '',
    '# API reference',
    '',
    `Group ${code(GROUP)}, version ${code(VERSION)}. The zod schemas in ${code('src/api')} are the source of the CRDs in ${code('crds/')}, of this page and of the in-process validation (${code('parsePhoenixMarket')}, ${code('parseMonitoringStack')}), so the API server and the operator report the same errors. ${code('kubectl explain pm.spec')} and ${code('kubectl explain mstack.spec')} show the same descriptions.`,
    '',
    ...crds.flatMap(kindSection),
    ...validationSection(crds),
    ...presetSection(),
    '## Examples',
    '',
    'The ten markets of the expansion plan and a MonitoringStack for them are in `manifests/samples/`; `manifests/samples/secrets.example.yaml` shows the Secrets they reference, with placeholder values.',
  ];
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
