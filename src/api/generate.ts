/**
 * Writes the files generated from the zod schemas: crds/*.yaml, the Helm chart's CRD copies and
 * docs/api.md. With --check it writes nothing and exits non-zero when a file on disk differs.
 *
 *   node src/api/generate.ts [--check] [--root <dir>]
 */
import { driftedPaths, generatorMain, writeChanged } from '../shared/generated-files.ts';
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

/** Paths (relative to root) whose content on disk differs from the generator's output. */
export function driftedFiles(root: string): string[] {
  return driftedPaths(root, generatedFiles());
}

export function writeGeneratedFiles(root: string): string[] {
  return writeChanged(root, generatedFiles());
}

if (import.meta.main) process.exitCode = generatorMain(process.argv.slice(2), () => generatedFiles());
