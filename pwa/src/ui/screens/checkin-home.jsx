// @ts-check
/**
 * The trainee's start page (#/checkin): how to check in, and every confirmation this
 * phone made, with its state. Where every check-in screen leads back to.
 */
import { allCheckins, getMe, rememberMe } from '../../checkin/trainee-store.js';
import { getEnrolment } from '../../store/meta.js';
import { CheckinCard } from '../checkin-status.jsx';
import { useQuery, useServices } from '../hooks.js';
import { t } from '../i18n.js';
import { LanguageSwitch } from '../language-switch.jsx';

export function CheckinHome() {
  const { db, changed } = useServices();
  const entries = useQuery(allCheckins, []);
  const me = useQuery((store) => getMe(store).then((m) => m ?? null), []);
  const enrolled = useQuery((store) => getEnrolment(store).then((e) => Boolean(e)), []);
  if (entries === undefined || me === undefined) return null;
  return (
    <section class="screen checkin checkin-home" data-testid="checkin-home">
      <h1>{t('checkin.home_title')}</h1>
      <p class="lead">{t('checkin.how')}</p>
      {me ? (
        <p class="phone-owner">
          <span>{t('checkin.phone_of', { name: me.name })}</span>
          <button type="button" class="small" data-testid="not-me" onClick={async () => {
            await rememberMe(db, null);
            changed();
          }}>{t('checkin.not_me')}</button>
        </p>
      ) : null}
      {entries.length ? (
        <>
          <h2>{t('checkin.mine')}</h2>
          <ul class="checkin-cards">{entries.map((entry) => <CheckinCard key={entry.op_id} entry={entry} />)}</ul>
        </>
      ) : null}
      <LanguageSwitch />
      <a class="trainer-link" href={enrolled ? '#/' : '#/enrol'}>{t('checkin.for_trainers')}</a>
    </section>
  );
}
