import { defineConfig } from 'vitest/config';

// Three projects: fast pure unit tests; integration tests that start real binaries
// (kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kwok, FerretDB, promtool); and
// the end-to-end suite (`npm run test:e2e`), which installs the chart on a kind or local cluster
// and runs only when named (`--project e2e`).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One shared control plane; files run in parallel forks, each in its own namespace.
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          // One cluster per run, its state shared by the steps of a file: files one after another.
          pool: 'forks',
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
