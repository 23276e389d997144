/**
 * zod -> structural OpenAPI v3 (the dialect of CustomResourceDefinition schemas).
 *
 * zod's JSON Schema output (OpenAPI 3.0 target, input side so defaults and optional fields are
 * what a user writes) is the intermediate; this module walks it and keeps only what a structural
 * schema allows: every node typed, no logical junctors except the int-or-string pattern, maps only
 * through `additionalProperties`, preserve-unknown only where the schema asks for it, and regular
 * expressions that Go's RE2 engine also understands. Anything else is an error naming the path.
 */
import { z } from 'zod';
import { PhoenixError } from '../shared/errors.ts';

export interface OpenApiSchema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema;
  required?: string[];
  anyOf?: OpenApiSchema[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: unknown[];
}

/** A zod construct that has no structural OpenAPI equivalent. */
export class SchemaConversionError extends PhoenixError {
  override readonly name = 'SchemaConversionError';
  constructor(path: string, detail: string) {
    super('PHOENIX_SCHEMA_CONVERSION', `${path || '(root)'}: ${detail}`);
  }
}

type Json = Record<string, unknown>;

/** Keys copied as they are, in this order (the generated YAML reads top-down). */
const SCALAR_KEYS = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
] as const;

const EXTENSION_KEYS = [
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
] as const;

/** Keys of zod's output that are understood (and dropped when they carry nothing structural). */
const KNOWN_KEYS = new Set<string>([
  ...SCALAR_KEYS,
  ...EXTENSION_KEYS,
  'properties',
  'additionalProperties',
  'items',
  'required',
  'propertyNames',
  'anyOf',
  '$schema',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
]);

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** Regular-expression syntax JavaScript accepts but RE2 (the API server's engine) does not. */
const NON_RE2 = /\(\?[=!<]|\\[1-9]|\(\?<[A-Za-z]/;

function copyScalars(node: Json, out: OpenApiSchema, path: string): void {
  for (const key of SCALAR_KEYS) {
    if (node[key] === undefined) continue;
    (out as Json)[key] = node[key];
  }
  if (out.format === 'date-time') delete out.pattern;
  if (out.format === 'email') delete out.pattern;
  if (out.minimum === -SAFE_INT) delete out.minimum;
  if (out.maximum === SAFE_INT) delete out.maximum;
  if (out.pattern !== undefined && NON_RE2.test(out.pattern)) {
    throw new SchemaConversionError(path, `pattern ${out.pattern} uses syntax RE2 does not support`);
  }
}

function copyExtensions(node: Json, out: OpenApiSchema): void {
  for (const key of EXTENSION_KEYS) {
    if (node[key] !== undefined) (out as Json)[key] = node[key];
  }
}

function intOrString(node: Json): OpenApiSchema {
  const branches = (node.anyOf as Json[] | undefined) ?? [];
  const pattern = branches.find((b) => b.type === 'string')?.pattern;
  const out: OpenApiSchema = {};
  if (typeof node.description === 'string') out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (typeof pattern === 'string') out.pattern = pattern;
  out['x-kubernetes-int-or-string'] = true;
  return out;
}

function preserveUnknown(node: Json): OpenApiSchema {
  const out: OpenApiSchema = {};
  if (typeof node.description === 'string') out.description = node.description;
  out.type = 'object';
  out['x-kubernetes-preserve-unknown-fields'] = true;
  return out;
}

function convertChildren(node: Json, out: OpenApiSchema, path: string): void {
  if (node.items !== undefined) {
    if (Array.isArray(node.items)) throw new SchemaConversionError(path, 'tuples are not structural');
    out.items = convertNode(node.items as Json, `${path}[]`);
  }
  if (node.properties !== undefined) {
    const props = node.properties as Record<string, Json>;
    out.properties = Object.fromEntries(
      Object.entries(props).map(([key, child]) => [key, convertNode(child, path ? `${path}.${key}` : key)]),
    );
    const required = node.required as string[] | undefined;
    if (required && required.length > 0) out.required = [...required];
  }
  const additional = node.additionalProperties;
  if (additional !== undefined && additional !== false) {
    if (out.properties !== undefined) {
      throw new SchemaConversionError(path, 'properties and additionalProperties are mutually exclusive');
    }
    if (additional === true)
      throw new SchemaConversionError(path, 'use x-kubernetes-preserve-unknown-fields');
    out.additionalProperties = convertNode(additional as Json, `${path}.*`);
  }
}

function convertNode(node: Json, path: string): OpenApiSchema {
  if (node['x-kubernetes-preserve-unknown-fields'] === true) return preserveUnknown(node);
  if (node['x-kubernetes-int-or-string'] === true) return intOrString(node);
  const unknown = Object.keys(node).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw new SchemaConversionError(path, `unsupported keywords ${unknown.join(', ')}`);
  if (node.anyOf !== undefined) {
    throw new SchemaConversionError(path, 'unions are not structural (mark quantities as int-or-string)');
  }
  if (typeof node.type !== 'string') throw new SchemaConversionError(path, 'every node needs a type');
  const out: OpenApiSchema = {};
  copyScalars(node, out, path);
  convertChildren(node, out, path);
  if (out.type === 'object' && out.properties === undefined && out.additionalProperties === undefined) {
    throw new SchemaConversionError(path, 'an object needs properties or additionalProperties');
  }
  copyExtensions(node, out);
  return out;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` with the defaults of `node`'s properties filled in, as the API server's defaulting
 * would. Object defaults are written expanded because the API server checks each default against
 * the CEL rules of its schema without defaulting the default's own fields first.
 */
export function applyDefaults(node: OpenApiSchema, value: unknown): unknown {
  if (!isPlainObject(value) || node.properties === undefined) return value;
  const out: Json = { ...value };
  for (const [key, child] of Object.entries(node.properties)) {
    const current = out[key] ?? child.default;
    if (current !== undefined) out[key] = applyDefaults(child, current);
  }
  return out;
}

function expandObjectDefaults(schema: OpenApiSchema): void {
  walkOpenApi(schema, (node) => {
    if (isPlainObject(node.default)) node.default = applyDefaults(node, node.default);
  });
}

/** The structural OpenAPI v3 schema of a zod schema (input side: defaults, optional fields). */
export function toOpenApi(schema: z.ZodType): OpenApiSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'throw',
    reused: 'inline',
    cycles: 'throw',
  }) as Json;
  const schemaOut = convertNode(json, '');
  expandObjectDefaults(schemaOut);
  return schemaOut;
}

/** Visits every node with its path (`spec.collector.replicas`, `spec.zipCodes[]`). */
export function walkOpenApi(
  schema: OpenApiSchema,
  visit: (node: OpenApiSchema, path: string) => void,
  path = '',
): void {
  visit(schema, path);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    walkOpenApi(child, visit, path ? `${path}.${key}` : key);
  }
  if (schema.items) walkOpenApi(schema.items, visit, `${path}[]`);
  if (schema.additionalProperties) walkOpenApi(schema.additionalProperties, visit, `${path}.*`);
}
