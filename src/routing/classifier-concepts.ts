// Word families that mean one thing to a support desk: «КЭП», «УНЭП», «криптопро» and «госключ»
// are all the electronic signature, even when the training data has seen only one of them.
// Each family becomes one extra feature, so a rare synonym borrows the weight of the common one.
// One family a line: word beginnings after normalisation (lower case, ё → е), space-separated.
const FAMILIES: Record<string, string> = {
  signature:
    "эцп кэп укэп унэп нэп пэп подпис сертификат криптопро csp госключ рутокен токен etoken " +
    "джакарт носител плагин ecp podpis",
  login:
    "парол логин вход войт зайт захож авториз заблок разблок блокир аккаунт акаунт учетк " +
    "учетн код смс sms смск parol vhod voit kod попыт биометр двухфактор",
  contact: "почт email e-mail емейл имейл мейл ящик телефон номер симк сим мобильн pocht telefon",
  change: "смен измен помен поменя замен обнов привяз исправ отвяз удал smen izmen pomen",
  status:
    "статус рассмотр отказ отклон одобр срок висит завис застрял обработк решени результат " +
    "ведомств исполн status заявк заявлен zayav жду ждат ожидан",
  upload:
    "загруз загруж прикреп прилож файл скан формат pdf jpg jpeg png heic docx мб размер " +
    "заполн поле поля полях черновик бланк образец документ справк fail zagruz dokument",
  fault:
    "ошибк сбой глюч глюк недоступ открыва грузит загружает лежит вылет зависа тормоз браузер " +
    "chrome хром firefox safari сафари edge кэш кеш экран страниц кнопк верстк отображ " +
    "приложени андроид айфон iphone android сайт sait oshibk 500 502 503 404 403 400",
  organisation:
    "организац юрлиц юридическ компани фирм ооо оао зао пао нко предпринимат ип доверенност " +
    "мчд полномоч представител сотрудник руководител директор бухгалтер егрюл егрип огрн " +
    "бизнес филиал ликвидир учредител organizac",
  reference:
    "поддержк горяч лини звон позвон дозвон режим часы часов круглосуточ выходн праздн границ " +
    "рубеж заграниц мфц порядок процедур чат телефон 8800 podderzh zvon",
  feedback:
    "жалоб пожалова спасиб благодар признательн отзыв оценк оцени звезд хамск хамил хамит " +
    "хамств груб нагруб отписк безобраз позор ужасн отвратит некомпетент недовол претенз " +
    "оператор сотрудник специалист молч издева spasib zhalob",
};

const entries: [string, string][] = Object.entries(FAMILIES).flatMap(([family, prefixes]) =>
  prefixes.split(/\s+/).map((p): [string, string] => [p, family]),
);

/** The families a (normalised) word belongs to. Short prefixes must match the whole word. */
export function familiesOf(word: string): string[] {
  const out: string[] = [];
  for (const [prefix, family] of entries) {
    const hit = prefix.length <= 3 ? word === prefix : word.startsWith(prefix);
    if (hit && !out.includes(family)) out.push(family);
  }
  return out;
}
