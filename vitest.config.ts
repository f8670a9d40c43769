import { defineConfig } from 'vitest/config';

// node_modules/.bin/vitest starts with `#!/usr/bin/env node`: on a machine whose own Node is older, use `npm test`
// (npm puts the project's Node 24 first on PATH).
if (Number(process.versions.node.split('.')[0]) < 22) {
  throw new Error(`vault-lab tests need Node >= 22 (this is ${process.version}); run them with 'npm test'.`);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Integration tests start real servers on fixed loopback port ranges: one file at a time keeps 2 cores sane.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
