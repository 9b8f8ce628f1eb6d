// Normalisation and tokenisation of Russian text as applicants type it.
// Everything here is pure and allocation-light: the search index and the request classifier call it per keystroke.

// Letters and digits of any script; a word may carry inner hyphens (онлайн-чат), which we split later.
const WORD = /[\p{L}\p{N}]+/gu;

/** Lower case, ё → е, typographic dashes and spaces unified, Unicode composed. */
export function normalize(text: string): string {
  return text
    .normalize("NFC")
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[\u00a0\u2007\u202f]/g, " ")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/\u00ad/g, "");
}

/** Words of a text, normalised, in order. Punctuation and hyphens separate words. */
export function tokenize(text: string): string[] {
  return normalize(text).match(WORD) ?? [];
}

/** Tokens with their character offsets in the original text (offsets survive normalisation: it keeps lengths). */
export function tokenizeWithOffsets(text: string): { token: string; start: number; end: number }[] {
  const norm = normalize(text);
  // NFC or the soft-hyphen removal can change lengths; only then scan the original and normalise per word.
  const sameLength = norm.length === text.length;
  const source = sameLength ? norm : text;
  const out: { token: string; start: number; end: number }[] = [];
  for (const m of source.matchAll(WORD)) {
    const start = m.index ?? 0;
    out.push({ token: sameLength ? m[0] : normalize(m[0]), start, end: start + m[0].length });
  }
  return out;
}

export const isCyrillic = (word: string): boolean => /^[а-яё\d-]+$/i.test(word) && /[а-яё]/i.test(word);
export const isLatin = (word: string): boolean => /^[a-z\d]+$/i.test(word) && /[a-z]/i.test(word);

// Function words and the politeness that wraps most messages to support: they carry no topic.
// «не» stays out on purpose: «не приходит» and «приходит» mean different things to a reader,
// but not to a bag-of-words ranker, so it is dropped as well.
const STOP = `а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до его
ее если есть еще же за здесь и из или им их к как какая какие какой ко когда кто ли либо мне может мой моя мы на над
надо наш не него нее нет ни них но ну о об однако он она они оно от очень по под при с со так также такой там те тем
то того тоже той только том ту ты у уже хотя чего чей чем что чтобы чье чья эта эти это этот я вообще просто вот вроде
здравствуйте здрасте добрый день доброе утро вечер привет пожалуйста спасибо заранее подскажите помогите скажите
хочу хотел хотела хотим могу можно нужно надо который которая которое которые мою моего моей мне меня мной свой свою
своего своей сам сама сейчас уже ещё опять снова почему зачем очень всё как-то какой-то что-то ли бы будет будут
the a an and or of to in is it i my me on for with
первый первая первое первого первую первом второй вторая второе второго вторую втором третий третья третье
третьего третью третьем уже вчера сегодня позавчера больше меньше
идет идут дает дают пишет выдает показывает выскакивает высвечивается появляется
сделать делать сделал сделала пробовал пробовала пробовали пытался пыталась пытаюсь пробую
мои моих моим моими мое моем моему ваш ваша ваше ваши вашего вашей вашу вашим ваших вашем наша наше наши
нашего нашей нашу наших нашим сколько куда откуда какую каким каких какое`;
export const STOP_WORDS: ReadonlySet<string> = new Set(normalize(STOP).split(/\s+/).filter(Boolean));

export const isStopWord = (token: string): boolean => STOP_WORDS.has(token);
