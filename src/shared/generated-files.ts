/**
 * The plumbing shared by the generators (`npm run generate` / `generate:check`): compare a set of
 * generated files with the disk, write the ones that differ, and the command line around both.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Generated content by path relative to the repository root. */
export type GeneratedFiles = ReadonlyMap<string, string>;

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Paths (relative to root) whose content on disk differs from `files`. */
export function driftedPaths(root: string, files: GeneratedFiles): string[] {
  return [...files].filter(([path, content]) => readOrEmpty(join(root, path)) !== content).map(([p]) => p);
}

/** Writes the files that differ; returns their paths. */
export function writeChanged(root: string, files: GeneratedFiles): string[] {
  const written: string[] = [];
  for (const [path, content] of files) {
    const target = join(root, path);
    if (readOrEmpty(target) === content) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(path);
  }
  return written;
}

/**
 * `[--check] [--root <dir>]`: with --check, list drifted files and return 1 if any; otherwise
 * write what changed. Returns the exit code.
 */
export function generatorMain(argv: readonly string[], files: (root: string) => GeneratedFiles): number {
  const rootIndex = argv.indexOf('--root');
  const root = resolve(rootIndex >= 0 ? (argv[rootIndex + 1] ?? '.') : '.');
  if (argv.includes('--check')) {
    const drifted = driftedPaths(root, files(root));
    for (const path of drifted) console.error(`${path} is out of date; run npm run generate`);
    return drifted.length === 0 ? 0 : 1;
  }
  for (const path of writeChanged(root, files(root))) console.log(`wrote ${path}`);
  return 0;
}
