// @ts-check
/**
 * On the sync screen, while online: make a passkey, so that on a new phone (or after this
 * one is lost) the person signs in with it instead of waiting for a new enrolment code.
 */
import { useState } from 'preact/hooks';
import { createPasskey, passkeyFailure, passkeysSupported } from '../client/passkeys.js';
import { useServices } from './hooks.js';
import { errorText, t } from './i18n.js';
import { useOnline } from './sync-bar.jsx';

export function PasskeyCard() {
  const services = useServices();
  const online = useOnline();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(/** @type {{ok: boolean, text: string} | null} */ (null));
  if (!online) return null;

  async function create() {
    setBusy(true);
    setResult(null);
    try {
      await createPasskey(services.db, services.transport);
      setResult({ ok: true, text: t('passkey.created') });
    } catch (/** @type {any} */ error) {
      const failure = passkeyFailure(error);
      setResult({ ok: false, text: failure === 'cancelled' ? t('passkey.cancelled')
        : failure === 'unsupported' ? t('passkey.unsupported') : errorText(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="card passkey-card" data-testid="passkey-card">
      <h2>⚷ {t('passkey.title')}</h2>
      <p class="hint">{t('passkey.intro')}</p>
      {passkeysSupported() ? (
        <button type="button" class="primary big" onClick={create} disabled={busy} data-testid="create-passkey">
          {busy ? t('common.wait') : t('passkey.create')}
        </button>
      ) : <p class="notice">{t('passkey.unsupported')}</p>}
      {result ? <p class={result.ok ? 'notice saved' : 'form-error'} role={result.ok ? 'status' : 'alert'}
        data-testid="passkey-result" data-ok={String(result.ok)}>{result.text}</p> : null}
    </div>
  );
}
