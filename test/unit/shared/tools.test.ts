import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolMissingError } from '../../../src/shared/errors.ts';
import { repoRoot, toolPath, toolVersions } from '../../../src/shared/tools.ts';

describe('tool versions', () => {
  it('pins every provisioned tool in one file', () => {
    const versions = toolVersions();
    for (const key of [
      'NODE_VERSION',
      'KUBERNETES_VERSION',
      'ETCD_VERSION',
      'KWOK_VERSION',
      'FERRETDB_VERSION',
      'HELM_VERSION',
      'ALERTMANAGER_VERSION',
    ]) {
      expect(versions[key], key).toMatch(/^v?\d+\.\d+\.\d+/);
    }
    expect(versions['ETCD_VERSION']).toMatch(/^v3\.5\./);
    expect(versions['FERRETDB_VERSION']).toMatch(/^v1\./);
  });

  it('names the missing binary and the fix', () => {
    const previous = process.env['PHOENIX_TOOLS_DIR'];
    process.env['PHOENIX_TOOLS_DIR'] = '/nonexistent/phoenix-tools';
    try {
      expect(() => toolPath('kwok')).toThrow(ToolMissingError);
      expect(() => toolPath('kwok')).toThrow(
        /kwok not found at \/nonexistent\/phoenix-tools\/kwok-v[\d.]+\/bin\/kwok; run 'npm run tools'/,
      );
    } finally {
      if (previous === undefined) delete process.env['PHOENIX_TOOLS_DIR'];
      else process.env['PHOENIX_TOOLS_DIR'] = previous;
    }
  });
});

describe('CI entry point', () => {
  it('runs the test command the README gives', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const block = /<!-- test-command -->\n```sh\n(.+)\n```/.exec(readme);
    expect(block?.[1]).toBe('bash scripts/test.sh');
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    expect(ci).toContain('<!-- test-command -->');
  });
});
