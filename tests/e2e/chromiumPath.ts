// Which Chromium the browser tests run: Debian's (Playwright cannot download its own here),
// PLAYWRIGHT_CHROMIUM_PATH if set, or Playwright's own with HEARTH_PLAYWRIGHT_BROWSER=1.
import { existsSync } from 'node:fs';

const systemChromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** undefined: Playwright's own browser. */
export const chromiumPath: string | undefined = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? (process.env.HEARTH_PLAYWRIGHT_BROWSER ? undefined : systemChromium);

/** Flags every browser in these tests gets (no sandbox as root; nothing that calls home). */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
