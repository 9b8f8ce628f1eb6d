// Progress of a long command on stderr: a bar redrawn in place on a terminal; elsewhere (a log, a pipe, CI) one whole
// line per step, at most one per tenth of the work, so a log reads «… 30 000 из 100 000 (30 %)» line by line instead
// of numbers run together.
const number = new Intl.NumberFormat("ru-RU");

export type Progress = { step(done: number): void; done(): void };

export function progress(
  label: string,
  total: number,
  out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown } = process.stderr,
): Progress {
  const tty = Boolean(out.isTTY);
  let lastTenth = -1;
  let lastDrawn = 0;
  const line = (done: number) => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    return `${label}: ${number.format(done)} из ${number.format(total)} (${Math.floor(share * 100)} %)`;
  };
  return {
    step(done) {
      if (tty) {
        const now = Date.now();
        if (now - lastDrawn < 100 && done < total) return;
        lastDrawn = now;
        const width = 30;
        const filled = total > 0 ? Math.round(Math.min(1, done / total) * width) : width;
        out.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${line(done)}\u001b[K`);
        return;
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      out.write(`${line(done)}\n`);
    },
    done() {
      if (tty) out.write("\n");
    },
  };
}
