import { Lazy } from 'cdk8s';

/** A value computed at synth time, typed as what it produces (cdk8s resolves `Lazy` anywhere in an object). */
export function lazyValue<T>(produce: () => T): T {
  return Lazy.any({ produce }) as unknown as T;
}
