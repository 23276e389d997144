/**
 * The image cannot be built here (no Docker daemon): these checks hold the Dockerfile to the
 * contract the manifests rely on. The runtime stage's steps (`npm ci --omit=dev`, then
 * `node dist/cli/main.js` as uid 65532 from a directory it cannot write) are the ones to run by hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_AS_USER } from '../../../src/delivery/deployment.ts';
import { repoRoot } from '../../../src/shared/tools.ts';

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim());
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines.filter((l) => l !== '' && !l.startsWith('#'))) {
    const [op = '', ...rest] = line.split(/\s+/);
    const instruction = { op: op.toUpperCase(), args: rest.join(' ') };
    if (instruction.op === 'FROM') {
      const [image = '', , name] = rest;
      stages.push({
        from: image.replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? ''),
        name,
        instructions: [],
      });
    } else if (instruction.op === 'ARG' && stages.length === 0) {
      const [key = '', value = ''] = instruction.args.split('=');
      args.set(key, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const { stages } = parseDockerfile(text);
const runtime = stages.at(-1)!;
const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('builds every stage from a Node 24 image pinned to an exact version', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
    const versions = readFileSync(join(repoRoot, 'tools/versions.env'), 'utf8');
    expect(stages[0]!.from).toContain(/NODE_VERSION=(\S+)/.exec(versions)![1]);
  });

  it('compiles with npm ci and npm run build in a build stage', () => {
    const build = stages.find((s) => ops(s, 'RUN').some((r) => r.includes('npm run build')))!;
    expect(build).toBeDefined();
    expect(ops(build, 'RUN').some((r) => r.startsWith('npm ci'))).toBe(true);
  });

  it('ships production dependencies only (npm ci --omit=dev) and the build output', () => {
    const copies = ops(runtime, 'COPY');
    const depsStage = copies.find((c) => c.includes('node_modules'))!.match(/--from=(\S+)/)![1];
    const deps = stages.find((s) => s.name === depsStage)!;
    expect(ops(deps, 'RUN').some((r) => /npm ci .*--omit=dev/.test(r))).toBe(true);
    expect(copies.some((c) => /--from=build \/app\/dist \.\/dist/.test(c))).toBe(true);
    expect(ops(runtime, 'RUN')).toEqual([]);
  });

  it('runs as the numeric non-root user of the manifests', () => {
    const users = ops(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^\d+(:\d+)?$/);
    expect(Number(users[0]!.split(':')[0])).toBe(RUN_AS_USER);
    expect(Number(users[0]!.split(':')[0])).toBeGreaterThan(0);
  });

  it('starts dist/cli/main.js, the build output of src/cli/main.ts, with the operator as default', () => {
    const entrypoint = JSON.parse(ops(runtime, 'ENTRYPOINT')[0]!) as string[];
    expect(entrypoint).toEqual(['node', '--max-semi-space-size=2', 'dist/cli/main.js']);
    expect(JSON.parse(ops(runtime, 'CMD')[0]!)).toEqual(['operator']);
    const tsconfig = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(join(repoRoot, 'src/cli/main.ts'))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(pkg.scripts['build']).toBe('tsc -p tsconfig.build.json');
    expect(pkg.bin['phoenix']).toBe('./dist/cli/main.js');
    expect(pkg.scripts['image:build']).toMatch(/^docker build /);
  });

  it('sends only what the build needs to the Docker daemon', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toContain('*');
    for (const kept of [
      '!package.json',
      '!package-lock.json',
      '!tsconfig.json',
      '!tsconfig.build.json',
      '!src/',
    ]) {
      expect(ignore).toContain(kept);
    }
    const copied = stages.flatMap((s) => ops(s, 'COPY')).filter((c) => !c.startsWith('--from'));
    for (const copy of copied) {
      for (const source of copy.split(/\s+/).slice(0, -1)) {
        expect(ignore, source).toContain(source === 'src' ? '!src/' : `!${source}`);
      }
    }
  });
});
