/** What bin/lab.js does before main(): hand the content to the engine. Every test file runs with it. */
import { provideContent } from '../src/engine/catalogue.ts';
import { catalogue } from '../scenarios/index.ts';

provideContent({ catalogue, site: () => import('../site/index.ts') });
