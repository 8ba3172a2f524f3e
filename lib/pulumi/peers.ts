/**
 * The Pulumi layer's optional peer dependencies. The Pulumi entry point imports this module first, so a project that
 * lacks one gets one message naming what to install, instead of a bare "Cannot find module" from deep inside.
 */
const PEERS = ['@pulumi/pulumi', '@pulumi/gcp', '@pulumi/kubernetes'];

const missing = PEERS.filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  const error: NodeJS.ErrnoException = new Error('tfserving-constructs/pulumi needs the optional peer dependencies @pulumi/pulumi, @pulumi/gcp and '
    + `@pulumi/kubernetes; missing: ${missing.join(', ')}. Fix: npm install ${PEERS.join(' ')}`);
  error.code = 'MODULE_NOT_FOUND';
  throw error;
}

export {};
