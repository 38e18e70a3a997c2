// @ts-check
/**
 * "Scan a trainee's confirmation": a trainee whose phone has no signal shows their
 * confirmation as a QR code; the trainer scans it with the camera, or chooses a photo of
 * it when the camera is refused, and it goes up with the trainer's next sync.
 */
import { useState } from 'preact/hooks';
import { acceptRelay, RelayRefused } from '../client/relay.js';
import { InvalidOp } from '../store/outbox.js';
import { useServices } from './hooks.js';
import { errorText, t } from './i18n.js';
import { readQrFromPhoto } from './photo-qr.js';
import { Scanner } from './scanner.jsx';

/** @param {RelayRefused} refusal */
function refusalText(refusal) {
  switch (refusal.code) {
    case 'not_a_relay': return t('relay.not_a_relay');
    case 'other_session': return t('relay.other_session');
    case 'not_on_roster': return t('relay.not_on_roster');
    default: return t('common.not_found');
  }
}

/** @param {{sessionId: string}} props */
export function RelayScan({ sessionId }) {
  const services = useServices();
  const [scanning, setScanning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(/** @type {{ok: boolean, text: string} | null} */ (null));

  /** @param {string} text */
  async function keep(text) {
    try {
      const kept = await acceptRelay(services.db, sessionId, text, Date.now());
      services.changed();
      services.scheduler.afterTap();
      const vars = { name: kept.traineeName };
      setResult({ ok: true, text: kept.alreadyHere ? t('relay.already', vars) : t('relay.saved', vars) });
    } catch (/** @type {any} */ error) {
      if (error instanceof RelayRefused) setResult({ ok: false, text: refusalText(error) });
      else if (error instanceof InvalidOp) setResult({ ok: false, text: t('relay.invalid', { reason: error.message }) });
      else setResult({ ok: false, text: t('error.not_saved', { reason: errorText(error) }) });
    }
  }

  /** @param {string} text */
  function scanned(text) {
    // One trainee at a time: the camera closes, so the same code is not read over and over.
    setScanning(false);
    keep(text);
  }

  /** @param {Event} event */
  async function photoChosen(event) {
    const input = /** @type {HTMLInputElement} */ (event.target);
    const file = input.files?.[0];
    input.value = ''; // the same photo may be chosen again after a fix
    if (!file) return;
    setBusy(true);
    setResult(null);
    try {
      const text = await readQrFromPhoto(file);
      if (text === null) setResult({ ok: false, text: t('relay.no_code_in_photo') });
      else await keep(text);
    } catch {
      setResult({ ok: false, text: t('relay.photo_unreadable') });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="relay-scan" data-testid="relay-scan">
      <h2>{t('relay.title')}</h2>
      <p class="hint">{t('relay.intro')}</p>
      {result ? <p class={result.ok ? 'notice saved' : 'form-error'} role={result.ok ? 'status' : 'alert'}
        data-testid="relay-result" data-ok={String(result.ok)}>{result.ok ? '✓ ' : ''}{result.text}</p> : null}
      {scanning ? <Scanner onText={scanned} onCancel={() => setScanning(false)} noCameraText={t('relay.no_camera')} />
        : <button type="button" class="primary big" onClick={() => { setResult(null); setScanning(true); }}
          data-testid="relay-camera">▣ {t('relay.scan')}</button>}
      <label class={`button big file-button ${busy ? 'busy' : ''}`}>
        ▨ {busy ? t('common.wait') : t('relay.photo')}
        <input type="file" accept="image/*" class="visually-hidden" onChange={photoChosen} disabled={busy}
          data-testid="relay-photo" />
      </label>
    </div>
  );
}
