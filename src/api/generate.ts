/**
 * Writes the files generated from the zod schemas: crds/*.yaml, the Helm chart's CRD copies and
 * docs/api.md. With --check it writes nothing and exits non-zero when a file on disk differs.
 *
 *   node src/api/generate.ts [--check] [--root <dir>]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildCrd, crdFileName, KIND_DEFINITIONS, renderCrdYaml } from './crd.ts';
import { renderApiDocs } from './docs.ts';

export const CRD_DIRS = ['crds', 'helm/phoenix-operator/crds'] as const;
export const DOCS_FILE = 'docs/api.md';

/** Every generated file, by path relative to the repository root. Pure. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of KIND_DEFINITIONS) {
    const yaml = renderCrdYaml(buildCrd(def));
    for (const dir of CRD_DIRS) files.set(`${dir}/${crdFileName(def)}`, yaml);
  }
  files.set(DOCS_FILE, renderApiDocs());
  return files;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Paths (relative to root) whose content on disk differs from the generator's output. */
export function driftedFiles(root: string): string[] {
  return [...generatedFiles()]
    .filter(([path, content]) => readOrEmpty(join(root, path)) !== content)
    .map(([path]) => path);
}

export function writeGeneratedFiles(root: string): string[] {
  const written: string[] = [];
  for (const [path, content] of generatedFiles()) {
    const target = join(root, path);
    if (readOrEmpty(target) === content) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(path);
  }
  return written;
}

function main(argv: readonly string[]): number {
  const rootIndex = argv.indexOf('--root');
  const root = resolve(rootIndex >= 0 ? (argv[rootIndex + 1] ?? '.') : '.');
  if (argv.includes('--check')) {
    const drifted = driftedFiles(root);
    for (const path of drifted) console.error(`${path} is out of date; run npm run generate`);
    return drifted.length === 0 ? 0 : 1;
  }
  for (const path of writeGeneratedFiles(root)) console.log(`wrote ${path}`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
