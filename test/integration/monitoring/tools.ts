/** Runs promtool and amtool on files in a temporary directory and returns their output. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolPath, type Binary } from '../../../src/shared/tools.ts';

export interface ToolResult {
  status: number | null;
  output: string;
}

export function run(binary: Binary, args: string[], cwd: string): ToolResult {
  const result = spawnSync(toolPath(binary), args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Writes `files` (relative name to content) into a fresh temporary directory. */
export function writeTree(files: Iterable<[string, string]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-monitoring-'));
  for (const [name, content] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
