/** The study site as the CLI sees it (handed to the engine by the entry point). */
export { buildSite, defaultOutDir } from './build.ts';
export { createSiteServer, listen } from './serve.ts';
