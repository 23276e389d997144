import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderMarkets } from '../../../src/cli/render.ts';
import { repoRoot } from '../../../src/shared/tools.ts';

const dir = join(repoRoot, 'manifests', 'samples', 'markets');
const docs = readdirSync(dir).flatMap((f) => loadAll(readFileSync(join(dir, f), 'utf8')));

describe('phoenix render for PhoenixMarkets', () => {
  it('prints every child of every sample market, as the operator applies them', () => {
    const { objects, errors } = renderMarkets(docs, 'example/collector:1');
    expect(errors).toEqual([]);
    const kinds = (
      objects as { kind: string; metadata: { name: string; annotations?: Record<string, string> } }[]
    ).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds.filter((k) => k.startsWith('Deployment/'))).toHaveLength(10);
    expect(kinds).toContain('ConfigMap/phoenix-collector');
    for (const o of objects as { metadata: { annotations?: Record<string, string> } }[]) {
      expect(o.metadata.annotations?.['realestate.phoenix.io/applied-hash']).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('reports an invalid market with the field and renders the valid ones', () => {
    const bad = { ...(docs[0] as object), metadata: { name: 'bad' }, spec: { zipCodes: ['8500'] } };
    const { objects, errors } = renderMarkets([bad, docs[1]], 'example/collector:1');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('PhoenixMarket bad');
    expect(errors[0]).toContain('spec.zipCodes[0]');
    expect(objects.length).toBeGreaterThan(0);
  });
});
