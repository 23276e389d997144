import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { validateCommand } from '../../../src/cli/validate.ts';
import { INVALID_CASES, invalidResource, validMarket } from '../../fixtures/api/invalid-cases.ts';

describe('phoenix validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-validate-'));
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports each invalid resource with the field and rule, and exits 1', async () => {
    const file = join(dir, 'markets.yaml');
    const bad = INVALID_CASES.find((c) => c.name === 'zip-duplicate')!;
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } };
    writeFileSync(
      file,
      [validMarket('good'), invalidResource(bad), secret].map((d) => dump(d)).join('---\n'),
    );
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    expect(await validateCommand.run([file])).toBe(1);
    expect(lines).toEqual([
      `${file}: PhoenixMarket/good: valid`,
      `${file}: PhoenixMarket/zip-duplicate: spec.zipCodes[2]: duplicate value "85003"`,
    ]);
  });

  it('exits 0 on the samples', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(
      await validateCommand.run([
        'manifests/samples/markets/01-phoenix.yaml',
        'manifests/samples/monitoringstack.yaml',
      ]),
    ).toBe(0);
  });
});
