/**
 * `phoenix demo --once` as a user runs it: a child process that starts its own control plane,
 * FerretDB, operator, stand-in Assessor API and collectors, exits 0 once every market is Ready
 * with a finished collection, and leaves no process behind.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../src/shared/tools.ts';

/** Pids of processes whose command line or environment mentions `text` (Linux /proc). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmdline.includes(text) || environ.includes(text)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function runDemo(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'demo', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      resolve({ code, output });
    });
  });
}

describe('phoenix demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-demo-it-'));
  afterAll(() => {
    for (const pid of processesMentioning(dir)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('--once: every market Ready with a finished collection, exit 0, no process left', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PHOENIX_DEMO_DIR: dir };
    delete env['KUBECONFIG'];
    const { code, output } = await runDemo(
      ['--once', '--timeout', '100', '--markets', '2', '--parcels', '3'],
      env,
    );
    expect(code, output).toBe(0);
    expect(output).toContain(`export KUBECONFIG=${join(dir, 'kubeconfig')}`);
    expect(output).toMatch(/STAND-IN Maricopa County Assessor API .*not the county's service/);
    for (const market of ['phoenix', 'scottsdale']) {
      expect(output).toMatch(
        new RegExp(`^${market}: Ready=True .*collection Succeeded .*, [1-9][0-9]* properties stored$`, 'm'),
      );
      expect(output).toMatch(new RegExp(`collector ${market}: http://127\\.0\\.0\\.1:[0-9]+/metrics`));
    }
    expect(output).toMatch(/MonitoringStack phoenix-metro: /);
    expect(output).toContain('all 2 markets Ready with a finished collection');
    expect(output).toContain('all processes stopped');
    expect(output).not.toContain('tempe:');
    expect(processesMentioning(dir)).toEqual([]);
  }, 150_000);
});
