/** Where the demo site's media folders live: `demo-media/` at the project root, beside package.json. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MediaPathMapping } from '../../config';
import { DEMO_SHARE } from './demo-site';

/** Walks up from this module (src/ under ts-node, dist/src/ when built) to the folder holding demo-media/. */
export function findDemoMediaRoot(startDir: string = __dirname): string | undefined {
  for (let dir = startDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'demo-media'))) return join(dir, 'demo-media');
    if (dirname(dir) === dir) return undefined;
  }
}

/** The share mapping that lets the demo site's UNC paths reach the bundled media folders. */
export function demoMediaPathMap(root: string): MediaPathMapping[] {
  return [{ uncPrefix: DEMO_SHARE, localRoot: join(root, 'OSD$') }];
}
