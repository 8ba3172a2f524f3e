import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';

/**
 * A cdk8s `App` that writes nothing unless every chart synthesizes.
 *
 * `App.synth()` validates the whole app first, but it renders and writes one chart after the other: when the
 * second chart fails while it renders (a value converted late, a lazy value that throws, a JSON patch that does not
 * apply), the first chart's YAML is already on disk, and a `kubectl apply -f dist/` of that folder applies half an
 * app. `ServingApp.synth()` lets `App.synth()` write into a fresh temporary folder and moves the files into
 * `outdir` only when it returned; on any error it deletes the temporary folder and `outdir` is left as it was.
 * Output is byte-identical to `App`'s: the same writer runs, only its folder changes.
 *
 * Use it in place of `App` (`new ServingApp()`); it takes the same props.
 */
export class ServingApp extends App {
  /** Synthesizes every chart into a temporary folder, then moves the files into `outdir`. */
  public synth(): void {
    const target = this.outdir;
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'tfserving-synth-'));
    const self = this as unknown as { outdir: string };
    try {
      // App.synth() and writeConstructMetadata() write under this.outdir (cdk8s lib/app.ts); point it at the staging folder.
      self.outdir = staging;
      super.synth();
      self.outdir = target;
      moveTree(staging, target);
    } finally {
      self.outdir = target;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
}

/** Moves every file under `from` to the same relative path under `to` (copy, then the caller removes `from`). */
function moveTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) moveTree(src, dst);
    else fs.copyFileSync(src, dst);
  }
}
