/**
 * `netready hash-password`: reads a password (typed without echo on a terminal, else the first line of standard input)
 * and prints its scrypt hash for `support.passwordHash` (NETREADY_SUPPORT_PASSWORD_HASH), the support view's sign-in.
 */
import { hashPassword } from '../server/api/support-auth';

/** Shortest password accepted. */
const MIN_PASSWORD_CHARS = 12;

/** Reads one line from a terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let text = '';
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          resolve(text);
          return;
        }
        if (char === '\u0003') {
          done();
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f') text = text.slice(0, -1);
        else text += char;
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

/** Reads standard input to its end. */
async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the command; resolves with the exit code. */
export async function runHashPassword(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (args.length > 0) {
    err(`netready hash-password takes no arguments (the password is read from the terminal or standard input, never from the command line). Got: ${args.join(' ')}`);
    return 2;
  }
  let password: string;
  try {
    password = process.stdin.isTTY ? await readHidden('Password for the support view: ') : (await readAll()).split(/\r?\n/)[0] ?? '';
  } catch {
    err('netready: cancelled');
    return 130;
  }
  if ([...password].length < MIN_PASSWORD_CHARS) {
    err(`netready: the password must be at least ${MIN_PASSWORD_CHARS} characters`);
    return 2;
  }
  out(hashPassword(password));
  return 0;
}
