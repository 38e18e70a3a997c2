// @ts-check
/** Tiếng Việt / English. */
import { useState } from 'preact/hooks';
import { useServices } from './hooks.js';
import { language, LANGUAGES, setLanguage, t } from './i18n.js';

export function LanguageSwitch() {
  const { changed } = useServices();
  const [, redraw] = useState(0);
  return (
    <div class="language-switch" role="group">
      {LANGUAGES.map((lang) => (
        <button type="button" key={lang} class={language() === lang ? 'chosen' : ''} aria-pressed={language() === lang}
          onClick={() => {
            setLanguage(lang);
            redraw((n) => n + 1);
            changed();
          }}>
          {t(`lang.${lang}`)}
        </button>
      ))}
    </div>
  );
}
