// @ts-check
/** Enrolment: type or scan the one-time code a coordinator gave, then the phone is this trainer's. */
import { useEffect, useState } from 'preact/hooks';
import { enrolDevice, UnsentWork } from '../../client/device.js';
import { passkeyFailure, passkeysSupported, signInWithPasskey } from '../../client/passkeys.js';
import { useServices } from '../hooks.js';
import { errorText, t } from '../i18n.js';
import { LanguageSwitch } from '../language-switch.jsx';
import { Scanner } from '../scanner.jsx';

// A code as printed (ABCDE-FGHJK), alone or at the end of an enrolment link (…/#/enrol/CODE).
const CODE_IN_TEXT = /^(?:\S*#\/enrol\/)?([A-Za-z0-9]{5}-?[A-Za-z0-9]{5})\s*$/;

/** @param {{prefill?: string, enrolled: boolean}} props */
export function EnrolScreen({ prefill, enrolled }) {
  const services = useServices();
  const [code, setCode] = useState(prefill ?? '');
  const [scanning, setScanning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  // An enrolment link opened while this screen is up (the app already open) fills its code in too.
  useEffect(() => {
    if (prefill) setCode(prefill);
  }, [prefill]);

  /**
   * Enrol this phone by `how` (a code or a passkey); both end the same way.
   * @param {(about: {label: string, appVersion: string}) => Promise<unknown>} how
   */
  async function enrolBy(how) {
    setBusy(true);
    setError(null);
    try {
      await how({ label: navigator.userAgent.slice(0, 120), appVersion: services.appVersion });
      await navigator.storage?.persist?.();
      services.changed();
      location.hash = '#/';
    } catch (/** @type {any} */ err) {
      const failure = passkeyFailure(err);
      setError(err instanceof UnsentWork ? t('enrol.unsent', { count: err.pending })
        : failure === 'cancelled' ? t('passkey.cancelled') : failure === 'unsupported' ? t('passkey.unsupported')
          : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  /** @param {Event} event */
  function submit(event) {
    event.preventDefault();
    enrolBy((about) => enrolDevice(services.db, services.transport, code, about));
  }

  /** @param {string} text */
  function scanned(text) {
    const match = CODE_IN_TEXT.exec(text);
    setScanning(false);
    if (match) setCode(match[1].toUpperCase());
    else setError(t('enrol.not_a_code'));
  }

  return (
    <section class="screen enrol">
      <h1>{t('app.name')}</h1>
      <p class="lead">{t('enrol.intro')}</p>
      {enrolled ? <p class="notice">{t('enrol.already')}</p> : null}
      <form onSubmit={submit}>
        <label for="code">{t('enrol.code_label')}</label>
        <input id="code" name="code" class="code-input" autocomplete="off" autocapitalize="characters"
          spellcheck={false} placeholder="ABCDE-FGHJK" value={code} required
          onInput={(e) => setCode(/** @type {HTMLInputElement} */ (e.target).value)} />
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        <button type="submit" class="primary big" disabled={busy || code.trim().length < 10}>
          {busy ? t('common.wait') : t('enrol.submit')}
        </button>
      </form>
      {scanning ? <Scanner onText={scanned} onCancel={() => setScanning(false)} />
        : <button type="button" class="big" onClick={() => setScanning(true)}>▣ {t('enrol.scan')}</button>}
      {passkeysSupported() ? (
        <>
          <p class="hint or">{t('enrol.or_passkey')}</p>
          <button type="button" class="big" disabled={busy} data-testid="passkey-sign-in"
            onClick={() => enrolBy((about) => signInWithPasskey(services.db, services.transport, about))}>
            ⚷ {t('enrol.passkey')}
          </button>
        </>
      ) : null}
      {enrolled ? <a class="button big" href="#/">{t('common.back')}</a> : null}
      <LanguageSwitch />
    </section>
  );
}
