// PGlite does not lock its data folder, and two processes on one folder would corrupt it. A pid file taken
// with O_EXCL guards it; a lock left by a process that no longer exists (killed, crashed) is taken over,
// so a restart after a crash does not wait.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function lockFolder(lockPath: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockPath);
        } catch {}
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(lockPath, "utf8").trim());
      } catch {}
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new Error(`held by process ${holder}`);
      }
      try {
        unlinkSync(lockPath);
      } catch {}
    }
  }
  throw new Error("could not take the lock");
}
