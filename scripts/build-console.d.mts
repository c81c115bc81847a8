/** True when console/dist is missing or older than a console source. */
export function consoleIsStale(): boolean;
/** Builds console/ into console/dist with vite when stale (or forced); 'skipped' without vite. */
export function buildConsole(options?: { force?: boolean; quiet?: boolean }): Promise<'up to date' | 'built' | 'skipped'>;
