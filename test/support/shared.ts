import * as fs from 'fs';
import * as path from 'path';

/**
 * The `shared/` reference folder beside the checkout (`../shared` from the project root; one level further from a
 * git worktree under `wt/`), or undefined where it is absent, as in CI: tests that compare against upstream files
 * then skip those comparisons and say so in their names.
 */
export function sharedDir(...parts: string[]): string | undefined {
  let dir = path.resolve(__dirname, '..', '..');
  for (let i = 0; i < 3; i++) {
    dir = path.dirname(dir);
    const candidate = path.join(dir, 'shared', ...parts);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
