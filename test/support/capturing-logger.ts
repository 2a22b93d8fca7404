import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/logger.js';

/** A stream that hands every non-empty line written to it to `onLine`. */
function lineStream(onLine: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) onLine(line);
      done();
    },
  });
}

/** A logger's destination under test: keeps the lines written to it. */
export function capturingStream(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  return { stream: lineStream((line) => lines.push(line)), lines };
}

/** A debug logger whose JSON lines the test reads. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = lineStream((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { logger: createLogger({ level: 'debug', destination }), lines };
}
