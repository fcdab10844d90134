// Example: the package's diagnostics_channel telemetry as Prometheus metrics with prom-client, per
// platform, for the rollout (is every platform's signing live before enforcement is turned on?) and
// for rotations (which secret does each server hold?). docs/operations.md explains each metric.
//   mtribes_trusted_identity_signatures_total{platform,operation}   ids signed (verify: checked)
//   mtribes_trusted_identity_errors_total{platform,operation,code}  calls that failed
//   mtribes_trusted_identity_reloads_total{platform,source,outcome} secrets reloaded or refused
//   mtribes_trusted_identity_secret_info{platform,fingerprint}      1 for the secret in use
// The messages hold names, counts, codes and fingerprints only, so every label is safe to export;
// `platform` is empty for a platform the signer does not have (never the value a request sent).
import diagnosticsChannel from 'node:diagnostics_channel'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { ReloadChannelMessage, SignChannelMessage, TrustedIdentity } from 'mtribes-trusted-identity'

/**
 * Registers the metrics in `registry` and subscribes to both channels; `signer`'s fingerprints
 * are the first values of secret_info. Returns a function that unsubscribes.
 */
export function trustedIdentityMetrics(registry: Registry, signer: TrustedIdentity): () => void {
  const registers = [registry]
  const signatures = new Counter({
    name: 'mtribes_trusted_identity_signatures_total',
    help: 'User ids signed (verify: checked) by mtribes-trusted-identity',
    labelNames: ['platform', 'operation'],
    registers,
  })
  const errors = new Counter({
    name: 'mtribes_trusted_identity_errors_total',
    help: 'mtribes-trusted-identity signing calls that failed, by error code',
    labelNames: ['platform', 'operation', 'code'],
    registers,
  })
  const reloads = new Counter({
    name: 'mtribes_trusted_identity_reloads_total',
    help: 'Secrets reloaded from a watched file or replaced, and refused ones',
    labelNames: ['platform', 'source', 'outcome'],
    registers,
  })
  const secretInfo = new Gauge({
    name: 'mtribes_trusted_identity_secret_info',
    help: 'The fingerprint of the secret each platform signs with (1 for the one in use)',
    labelNames: ['platform', 'fingerprint'],
    registers,
  })
  const inUse = new Map<string, string>()
  const setFingerprint = (platform: string, fingerprint: string): void => {
    const previous = inUse.get(platform)
    if (previous === fingerprint) return
    if (previous !== undefined) secretInfo.remove({ platform, fingerprint: previous })
    secretInfo.set({ platform, fingerprint }, 1)
    inUse.set(platform, fingerprint)
  }
  for (const platform of signer.platforms) setFingerprint(platform, signer.fingerprint(platform))

  const onSign = (message: unknown): void => {
    const { operation, platform = '', count, outcome, code } = message as SignChannelMessage
    if (outcome === 'error') errors.inc({ platform, operation, code: code ?? '' })
    else signatures.inc({ platform, operation }, count)
  }
  const onReload = (message: unknown): void => {
    const { platform, source, outcome, fingerprint } = message as ReloadChannelMessage
    reloads.inc({ platform: platform ?? '', source, outcome })
    if (platform !== undefined && fingerprint !== undefined) setFingerprint(platform, fingerprint)
  }
  diagnosticsChannel.subscribe('mtribes-trusted-identity:sign', onSign)
  diagnosticsChannel.subscribe('mtribes-trusted-identity:reload', onReload)
  return () => {
    diagnosticsChannel.unsubscribe('mtribes-trusted-identity:sign', onSign)
    diagnosticsChannel.unsubscribe('mtribes-trusted-identity:reload', onReload)
  }
}
