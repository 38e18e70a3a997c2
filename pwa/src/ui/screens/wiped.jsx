// @ts-check
/**
 * Shown on a phone its coordinator removed: its working copy was deleted at its last
 * contact with the server. Says so plainly, so it does not look like a fault, and offers
 * the one way on: enrol again with a new code or a passkey.
 */
import { formatMoment, t } from '../i18n.js';
import { LanguageSwitch } from '../language-switch.jsx';

/** @param {{at: number}} props */
export function WipedScreen({ at }) {
  return (
    <section class="screen wiped" data-testid="wiped">
      <h1>{t('app.name')}</h1>
      <p class="notice" role="alert">⊘ {t('wiped.title')}</p>
      <p>{t('wiped.explain')}</p>
      <p class="hint">{t('wiped.when', { when: formatMoment(at) })}</p>
      <a class="button primary big" href="#/enrol" data-testid="enrol-again">{t('wiped.enrol_again')}</a>
      <LanguageSwitch />
    </section>
  );
}
