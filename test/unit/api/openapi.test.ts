import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { quantity, withRule } from '../../../src/api/index.ts';
import {
  SchemaConversionError,
  applyDefaults,
  toOpenApi,
  walkOpenApi,
  type OpenApiSchema,
} from '../../../src/api/openapi.ts';

describe('zod to structural OpenAPI', () => {
  it('converts objects, required fields, defaults, enums, bounds and descriptions', () => {
    const schema = z
      .strictObject({
        name: z
          .string()
          .min(1)
          .max(10)
          .regex(/^[a-z]+$/)
          .describe('A name.'),
        size: z.enum(['s', 'm']).default('m').describe('A size.'),
        count: z.number().int().min(0).describe('A count.'),
        ratio: z.number().gt(0).max(1).describe('A ratio.'),
        tags: z.array(z.string().describe('A tag.')).max(3).optional().describe('Tags.'),
        labels: z.record(z.string(), z.string()).optional().describe('Labels.'),
      })
      .describe('Thing.');
    expect(toOpenApi(schema)).toEqual({
      description: 'Thing.',
      type: 'object',
      properties: {
        name: { description: 'A name.', type: 'string', pattern: '^[a-z]+$', minLength: 1, maxLength: 10 },
        size: { description: 'A size.', type: 'string', enum: ['s', 'm'], default: 'm' },
        count: { description: 'A count.', type: 'integer', minimum: 0 },
        ratio: { description: 'A ratio.', type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1 },
        tags: {
          description: 'Tags.',
          type: 'array',
          maxItems: 3,
          items: { description: 'A tag.', type: 'string' },
        },
        labels: { description: 'Labels.', type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['name', 'count', 'ratio'],
    });
  });

  it('writes quantities as int-or-string with the only structural anyOf', () => {
    const out = toOpenApi(z.strictObject({ cpu: quantity('CPU.') }));
    expect(out.properties?.cpu).toEqual({
      description: 'CPU.',
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: expect.any(String) as string,
      'x-kubernetes-int-or-string': true,
    });
  });

  it('keeps free-form objects only where the schema asks for preserve-unknown-fields', () => {
    const out = toOpenApi(
      z.strictObject({
        affinity: z
          .looseObject({})
          .meta({ description: 'Affinity.', 'x-kubernetes-preserve-unknown-fields': true }),
      }),
    );
    expect(out.properties?.affinity).toEqual({
      description: 'Affinity.',
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('copies CEL rules and list types', () => {
    const base = z.strictObject({ a: z.number().describe('A.'), b: z.number().describe('B.') });
    const ruled = withRule(
      base,
      { rule: 'self.a <= self.b', message: 'a must be <= b', fieldPath: '.a' },
      (v) => v.a <= v.b,
    );
    expect(toOpenApi(ruled)['x-kubernetes-validations']).toEqual([
      { rule: 'self.a <= self.b', message: 'a must be <= b', fieldPath: '.a' },
    ]);
    const bad = ruled.safeParse({ a: 2, b: 1 });
    expect(bad.success ? [] : bad.error.issues.map((i) => [i.path, i.message])).toEqual([
      [['a'], 'a must be <= b'],
    ]);
  });

  it('expands object defaults with the defaults of their fields', () => {
    const schema = z.strictObject({
      outer: z
        .strictObject({
          x: z.number().default(1).describe('X.'),
          inner: z
            .strictObject({ y: z.string().default('y').describe('Y.') })
            .prefault({})
            .describe('Inner.'),
        })
        .prefault({})
        .describe('Outer.'),
    });
    expect(toOpenApi(schema).properties?.outer?.default).toEqual({ x: 1, inner: { y: 'y' } });
    const node: OpenApiSchema = { type: 'object', properties: { a: { type: 'string', default: 'd' } } };
    expect(applyDefaults(node, { a: 'given' })).toEqual({ a: 'given' });
    expect(applyDefaults(node, {})).toEqual({ a: 'd' });
  });

  it.each<[string, z.ZodType, RegExp]>([
    ['unions', z.strictObject({ u: z.union([z.string(), z.boolean()]) }), /u: unions are not structural/],
    [
      'tuples',
      z.strictObject({ t: z.tuple([z.string(), z.number()]) }),
      /^t(\[\])?: (tuples|unions) are not structural/,
    ],
    ['lookaheads', z.strictObject({ p: z.string().regex(/^(?!x)/) }), /p: pattern .* RE2/],
    [
      'free-form maps',
      z.strictObject({ m: z.record(z.string(), z.unknown()) }),
      /m\.\*: every node needs a type/,
    ],
    ['nullable fields', z.strictObject({ n: z.string().nullable() }), /n: .*not structural|n: unsupported/],
  ])('refuses %s', (_name, schema, message) => {
    expect(() => toOpenApi(schema)).toThrow(SchemaConversionError);
    expect(() => toOpenApi(schema)).toThrow(message);
  });

  it('walks every node with its path', () => {
    const paths: string[] = [];
    walkOpenApi(toOpenApi(z.strictObject({ a: z.array(z.strictObject({ b: z.string() })) })), (_n, p) =>
      paths.push(p),
    );
    expect(paths).toEqual(['', 'a', 'a[]', 'a[].b']);
  });
});
