#!/usr/bin/env node
// Runs the TypeScript sources directly (Node >= 22.18 strips types); no build step.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`vault-lab needs Node >= 22.18 (this is ${process.version}). Run 'npm install' in the checkout: it brings Node 24, used by npx/npm run.\n`);
  process.exit(3);
}
// `lab list | head` closes the pipe early: that is not an error.
for (const s of [process.stdout, process.stderr]) s.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
// V8 code cache on disk (in the OS temp folder): later runs skip most compilation of the CLI and its dependencies.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { main } = await import('../src/cli/main.ts');
// The composition root: content (topics, checks, the site) is handed to the engine here, never imported by it.
const { provideContent } = await import('../src/engine/catalogue.ts');
const { catalogue } = await import('../scenarios/index.ts');
provideContent({ catalogue, site: () => import('../site/index.ts') });
const ac = new AbortController();
let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (++interrupted > 1) process.exit(130);
    ac.abort();
  });
}
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: ac.signal });
