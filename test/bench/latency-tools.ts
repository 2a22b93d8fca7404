/** Shared by the latency scenarios (latency.ts, backlog.ts): calls cut at their ring, a notify watcher, percentiles. */
import { generateCalls, toWire, type Frame } from '../support/ami-script.js';
import type { BenchDaemon } from './bench-daemon.js';

/** The ringing DialBegin of an extension's device (PJSIP/NNNN-...), keyed ramal/telefone. */
export function ringOf(frame: Frame): string | undefined {
  const f = frame.fields;
  if (f.Event !== 'DialBegin') return undefined;
  const ext = /^PJSIP\/(\d+)-/.exec(f.DestChannel ?? '')?.[1];
  const caller = f.CallerIDNum ?? '';
  if (!ext || !/^\d{10,11}$/.test(caller)) return undefined;
  return `${ext}/${caller}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function stats(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? NaN) };
}

/** Watches the fake HubSoft for notificar by ramal/telefone; resolves each key's first arrival time. */
export function notifyWatcher(bench: BenchDaemon) {
  const seen = new Map<string, number>();
  let scanned = 0;
  const scan = () => {
    const requests = bench.hubsoft?.requests ?? [];
    for (; scanned < requests.length; scanned++) {
      const r = requests[scanned];
      if (!r?.path.endsWith('/notificar')) continue;
      const body = r.body as { ramal?: string; telefone?: string };
      const key = `${body.ramal}/${body.telefone}`;
      if (!seen.has(key)) seen.set(key, bench.arrivals[scanned] ?? NaN);
    }
  };
  return {
    async wait(keys: readonly string[], timeoutMs: number): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        scan();
        if (keys.every((k) => seen.has(k)) || performance.now() > deadline) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    at: (key: string) => (scan(), seen.get(key)),
  };
}

/**
 * The generator numbers channels from the same epoch every time: each scenario moves its ids
 * (Uniqueid, Linkedid...) to its own epoch so that no call looks like one the tracker already ended.
 */
export function wire(frames: readonly Frame[], scenario: number): string {
  return toWire(frames).replace(/\b(179\d{7})\.(\d+)/g, (_m, epoch: string, seq: string) => `${Number(epoch) + scenario * 100_000}.${seq}`);
}

/** Calls one by one (no overlap): the frames before the first ring, the ring, the rest. */
export function singleCalls(count: number, seed: number, scenario: number): { pre: string; ring: string; post: string; key: string; caller: string }[] {
  const byCall = new Map<string, Frame[]>();
  for (const frame of generateCalls(count, seed, { noise: true })) {
    const id = frame.fields.Linkedid ?? '';
    if (!byCall.has(id)) byCall.set(id, []);
    byCall.get(id)!.push(frame);
  }
  const calls = [];
  for (const frames of byCall.values()) {
    const at = frames.findIndex((f) => ringOf(f) !== undefined);
    if (at < 0) continue;
    const ring = frames[at]!;
    calls.push({ pre: wire(frames.slice(0, at), scenario), ring: wire([ring], scenario), post: wire(frames.slice(at + 1), scenario), key: ringOf(ring)!, caller: ring.fields.CallerIDNum ?? '' });
  }
  return calls;
}
