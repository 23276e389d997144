import { defineConfig } from 'vitest/config';

// Two projects: fast pure unit tests, and integration tests that start real binaries
// (kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kwok, FerretDB, promtool).
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
    ],
  },
});
