// Summarises a V8 CPU profile (`npm run bench -- --cpu-prof` writes them under
// .tmp/bench/profiles/): self time by package and by function, and inclusive time of the
// functions that match a filter.
//   npx tsx bench/profile.ts FILE.cpuprofile [--top 40] [--match regexp]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, match: { type: 'string' } },
});
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas.
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function packageOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url;
}
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${packageOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

function table(title: string, entries: Map<string, number>) {
  console.log(`\n${title}`);
  for (const [key, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  }
}

const pkgSelf = new Map<string, number>();
const fnSelf = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const name = n.callFrame.functionName;
  const pkg = name === '(idle)' || name === '(garbage collector)' || name === '(program)' ? name : packageOf(n.callFrame.url);
  pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + us);
  fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + us);
}
console.log(`${positionals[0]}: ${(total / 1e6).toFixed(1)} s sampled`);
table('self time by package', pkgSelf);
table('self time by function', fnSelf);

if (values.match) {
  // Inclusive time: a sample counts once for each distinct matching frame on its stack.
  const re = new RegExp(values.match);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = label(byId.get(cur)!);
      if (re.test(key) && !seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + us);
      }
    }
  }
  table(`inclusive time of frames matching /${values.match}/`, inclusive);
}
