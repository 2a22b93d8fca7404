import { createInterface } from 'node:readline/promises';

/** Asks one question on the terminal; secrets are read without echo. Only used when stdin is a TTY. */
export async function askTerminal(question: string, secret: boolean): Promise<string> {
  const stdin = process.stdin;
  if (!secret || typeof stdin.setRawMode !== 'function') {
    const rl = createInterface({ input: stdin, output: process.stderr });
    try {
      return (await rl.question(`${question}: `)).trim();
    } finally {
      rl.close();
    }
  }
  process.stderr.write(`${question} (not shown): `);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string): void => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            resolve(value);
            return;
          }
          if (char === '\u0003') {
            stdin.off('data', onData);
            reject(new Error('cancelled'));
            return;
          }
          if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
          else value += char;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}
