// Memory and CPU of process trees, read from /proc (Linux). Chromium and the sandbox's
// isolate processes are children of this process; each side of a comparison is this process
// plus a set of child trees.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** Every live process: pid → ppid. */
function parents() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat) table.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  return table;
}

function treeOf(table, root) {
  const children = new Map();
  for (const [pid, ppid] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    if (!table.has(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Direct children of this process whose command line matches `pattern`. */
export function childrenMatching(pattern) {
  return [...parents()]
    .filter(
      ([pid, ppid]) =>
        ppid === process.pid && pattern.test((read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ')),
    )
    .map(([pid]) => pid);
}

function kbField(text, name) {
  const match = text && new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** CPU ms of a process: its own, plus (`withChildren`) that of its children it reaped. */
function cpuMsOf(pid, withChildren) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks =
    Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Resident memory (RSS, and PSS, which splits shared pages among their users) in MiB and CPU
 * time in ms of `singles` (those processes alone) plus the trees rooted at `trees`, re-walked
 * on every call since Chromium starts and ends a renderer per context. CPU of tree members
 * includes the children they reaped, so renderers that ended still count.
 */
export function measure({ singles = [], trees = [] }, { pss = true } = {}) {
  const table = parents();
  const own = singles.filter((pid) => table.has(pid));
  const members = [...new Set(trees.flatMap((root) => treeOf(table, root)))];
  let rssKb = 0;
  let pssKb = 0;
  let cpuMs = 0;
  for (const pid of [...own, ...members]) {
    rssKb += kbField(read(`/proc/${pid}/status`), 'VmRSS');
    if (pss) pssKb += kbField(read(`/proc/${pid}/smaps_rollup`), 'Pss');
  }
  for (const pid of own) cpuMs += cpuMsOf(pid, false);
  for (const pid of members) cpuMs += cpuMsOf(pid, true);
  return { rssMb: rssKb / 1024, pssMb: pssKb / 1024, cpuMs, processes: own.length + members.length };
}

/**
 * Sample `which()` (an argument of `measure`) every `intervalMs` until `stop()`, which
 * returns the peaks of RSS and PSS and the CPU time spent in between.
 */
export function sampleProcesses(which, intervalMs = 500) {
  const first = measure(which());
  const peak = { rssMb: first.rssMb, pssMb: first.pssMb, processes: first.processes };
  const take = () => {
    const sample = measure(which());
    peak.rssMb = Math.max(peak.rssMb, sample.rssMb);
    peak.pssMb = Math.max(peak.pssMb, sample.pssMb);
    peak.processes = Math.max(peak.processes, sample.processes);
    return sample;
  };
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const last = take();
      return { ...peak, cpuMs: last.cpuMs - first.cpuMs };
    },
  };
}
