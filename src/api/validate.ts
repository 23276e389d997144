/**
 * In-process validation with the same schemas the CRDs are generated from, so the operator and
 * the CLI report the API server's errors without a cluster. Errors name the field path and the
 * rule, e.g. `spec.zipCodes[2]: must be 5 digits`.
 */
import type { z } from 'zod';
import { PhoenixError } from '../shared/errors.ts';
import {
  monitoringStackSchema,
  monitoringStackSpecSchema,
  type MonitoringStack,
  type MonitoringStackSpec,
} from './monitoring-stack.ts';
import {
  phoenixMarketSchema,
  phoenixMarketSpecSchema,
  type PhoenixMarket,
  type PhoenixMarketSpec,
} from './phoenix-market.ts';

export interface FieldError {
  /** Path of the field, e.g. `spec.zipCodes[2]`. */
  path: string;
  /** The rule that failed, e.g. `must be 5 digits`. */
  message: string;
  /** zod issue code (`invalid_format`, `too_small`, `unrecognized_keys`, `custom`, ...). */
  code: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A resource that does not satisfy its schema; terminal: retrying cannot fix it. */
export class InvalidResourceError extends PhoenixError {
  override readonly name = 'InvalidResourceError';
  readonly errors: readonly FieldError[];
  constructor(kind: string, errors: readonly FieldError[]) {
    super('PHOENIX_INVALID_RESOURCE', `invalid ${kind}: ${formatFieldErrors(errors)}`);
    this.errors = errors;
  }
}

/** `['spec', 'zipCodes', 2]` as `spec.zipCodes[2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    const name = String(part);
    return out === '' ? name : `${out}.${name}`;
  }, '');
}

function toFieldErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: 'unknown field',
        code: issue.code,
      }));
    }
    return [{ path: formatPath(path), message: issue.message, code: issue.code }];
  });
}

export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ');
}

function parseWith<S extends z.ZodType>(
  schema: S,
  obj: unknown,
  prefix: readonly PropertyKey[] = [],
): ParseResult<z.output<S>> {
  const result = schema.safeParse(obj);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: toFieldErrors(result.error.issues, prefix) };
}

/** Validates a whole PhoenixMarket object and applies the CRD's defaults. */
export function parsePhoenixMarket(obj: unknown): ParseResult<PhoenixMarket> {
  return parseWith(phoenixMarketSchema, obj);
}

/** Validates a PhoenixMarket spec; error paths start with `spec.`. */
export function parsePhoenixMarketSpec(spec: unknown): ParseResult<PhoenixMarketSpec> {
  return parseWith(phoenixMarketSpecSchema, spec, ['spec']);
}

/** Validates a whole MonitoringStack object and applies the CRD's defaults. */
export function parseMonitoringStack(obj: unknown): ParseResult<MonitoringStack> {
  return parseWith(monitoringStackSchema, obj);
}

/** Validates a MonitoringStack spec; error paths start with `spec.`. */
export function parseMonitoringStackSpec(spec: unknown): ParseResult<MonitoringStackSpec> {
  return parseWith(monitoringStackSpecSchema, spec, ['spec']);
}

function orThrow<T>(kind: string, result: ParseResult<T>): T {
  if (!result.ok) throw new InvalidResourceError(kind, result.errors);
  return result.value;
}

/** Like parsePhoenixMarket, but throws InvalidResourceError. */
export function assertPhoenixMarket(obj: unknown): PhoenixMarket {
  return orThrow('PhoenixMarket', parsePhoenixMarket(obj));
}

/** Like parseMonitoringStack, but throws InvalidResourceError. */
export function assertMonitoringStack(obj: unknown): MonitoringStack {
  return orThrow('MonitoringStack', parseMonitoringStack(obj));
}

export interface DocumentReport {
  /** Position of the document in its input (0-based). */
  index: number;
  kind: string;
  name: string;
  errors: FieldError[];
}

function describeDocument(doc: unknown): { kind: string; name: string } {
  const obj = (typeof doc === 'object' && doc !== null ? doc : {}) as {
    kind?: unknown;
    metadata?: { name?: unknown };
  };
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
  return { kind, name };
}

/**
 * Validates the PhoenixMarkets and MonitoringStacks among `docs` (e.g. the documents of a
 * manifest file); other kinds are skipped. Pure: the CLI reads and prints.
 */
export function validateDocuments(docs: readonly unknown[]): DocumentReport[] {
  return docs.flatMap((doc, index) => {
    const { kind, name } = describeDocument(doc);
    if (kind !== 'PhoenixMarket' && kind !== 'MonitoringStack') return [];
    const result = kind === 'PhoenixMarket' ? parsePhoenixMarket(doc) : parseMonitoringStack(doc);
    return [{ index, kind, name, errors: result.ok ? [] : result.errors }];
  });
}
