import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The checkout (or installed package) root: everything the lab ships is found relative to it. */
export const rootDir = fileURLToPath(new URL('../../', import.meta.url));
export const labsDir = path.join(rootDir, 'labs');
export const toolsDir = path.join(rootDir, '.tools');

/** Where labs keep their state: LAB_HOME, else .lab/ in the checkout. */
export function labHome(): string {
  return process.env.LAB_HOME ? path.resolve(process.env.LAB_HOME) : path.join(rootDir, '.lab');
}
