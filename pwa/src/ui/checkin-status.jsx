// @ts-check
/**
 * Where a trainee's confirmation stands, in words: sent, waiting on the phone (with the
 * QR code a trainer's phone can carry it in), or refused and why.
 */
import { useState } from 'preact/hooks';
import { encodeRelay } from '../sync/checkin.js';
import { SessionLine } from './checkin-parts.jsx';
import { t } from './i18n.js';
import { QrCode } from './qr-code.jsx';

/**
 * The relay QR code, full width, with what to do with it.
 * @param {{entry: import('../checkin/trainee-store.js').CheckinEntry}} props
 */
export function RelayQr({ entry }) {
  return (
    <div class="relay" data-testid="relay">
      <p class="relay-ask">{t('checkin.relay_show')}</p>
      <QrCode text={encodeRelay(entry.op)} label={t('checkin.relay_label')} testId="relay-qr" />
      <p class="hint">{t('checkin.relay_later')}</p>
    </div>
  );
}

/**
 * @param {{entry: import('../checkin/trainee-store.js').CheckinEntry}} props
 */
function Headline({ entry }) {
  if (entry.state === 'sent') return <p class="checkin-state sent">✓ {t('checkin.state_sent')}</p>;
  if (entry.state === 'rejected') return <p class="checkin-state rejected">✗ {t('checkin.state_rejected')}</p>;
  return <p class="checkin-state pending">✓ {t('checkin.state_pending')}</p>;
}

/**
 * One confirmation, as the page shows it right after confirming.
 * @param {{entry: import('../checkin/trainee-store.js').CheckinEntry, sending: boolean, onNotMe?: () => void}} props
 */
export function CheckinStatus({ entry, sending, onNotMe }) {
  return (
    <section class="screen checkin" data-testid="checkin-status" data-state={entry.state}>
      <Headline entry={entry} />
      <p class="who">{entry.trainee_name}</p>
      {/* The code and "Done" first, so both fit on the screen without scrolling. */}
      {entry.state === 'pending' ? (sending ? <p class="notice">{t('checkin.sending')}</p> : <RelayQr entry={entry} />) : null}
      <a class="button big primary" href="#/checkin" data-testid="checkin-done">{t('checkin.done')}</a>
      <SessionLine session={entry.session} />
      <Details entry={entry} />
      {onNotMe ? <button type="button" class="big" onClick={onNotMe} data-testid="not-me">{t('checkin.not_me')}</button> : null}
    </section>
  );
}

/**
 * How it was proven, and the server's reason for a refusal.
 * @param {{entry: import('../checkin/trainee-store.js').CheckinEntry}} props
 */
function Details({ entry }) {
  return (
    <>
      <p class="hint">{entry.op.fields.method === 'passkey' ? t('checkin.with_passkey') : t('checkin.without_passkey')}</p>
      {entry.state === 'rejected' ? (
        <>
          <p class="form-error" data-testid="checkin-reason">{t('checkin.rejected_reason', { reason: entry.reason || '—' })}</p>
          <p>{t('checkin.ask_trainer')}</p>
        </>
      ) : null}
    </>
  );
}

/**
 * A confirmation in the list on the start page; a waiting one can show its QR code again.
 * @param {{entry: import('../checkin/trainee-store.js').CheckinEntry}} props
 */
export function CheckinCard({ entry }) {
  const [open, setOpen] = useState(false);
  return (
    <li class={`checkin-card ${entry.state}`} data-testid="checkin-card" data-state={entry.state} data-op={entry.op_id}>
      <Headline entry={entry} />
      <span class="who">{entry.trainee_name}</span>
      <SessionLine session={entry.session} />
      <Details entry={entry} />
      {entry.state === 'pending' ? (
        <>
          <button type="button" class="big" onClick={() => setOpen(!open)} data-testid="show-relay">
            ▣ {open ? t('checkin.relay_hide') : t('checkin.relay_again')}
          </button>
          {open ? <RelayQr entry={entry} /> : null}
        </>
      ) : null}
    </li>
  );
}
