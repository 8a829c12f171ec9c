"""Per-language stop-words the attacks leave alone (a declarative table).

Short lists of the most frequent function words (articles, pronouns, prepositions, conjunctions, auxiliaries),
written for this project; not NLTK's or spaCy's lists. A language without a list has no stop-word constraint
(the manifest says so). Lookup is on the lower-cased word.
"""

from __future__ import annotations

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "a an the and or but if of to in on at by for with from as is are was were be been being it its this "
        "that these those i you he she we they me him her us them my your his our their do does did have has had "
        "will would can could shall should may might must so than then there here what which who whom",
        "de": "der die das den dem des ein eine einen einem einer eines und oder aber wenn als wie zu im in am an auf "
        "aus bei mit nach von vor für über unter ist sind war waren sein hat haben hatte wird werden ich du er sie "
        "es wir ihr mich dich sich uns euch mein dein sein dass so auch noch nur schon",
        "es": "el la los las un una unos unas y o pero si de del al a en con por para sin sobre es son era eran ser "
        "fue ha han había yo tú él ella nosotros ellos ellas me te se nos le les lo mi tu su que como más muy ya",
        "fr": "le la les un une des du de et ou mais si à au aux en dans sur sous avec pour par sans est sont était "
        "être a ont avait je tu il elle nous vous ils elles me te se lui leur mon ton son ma ta sa que qui comme "
        "plus très aussi",
        "it": "il lo la i gli le un uno una e o ma se di del della a al in con per su da è sono era essere ha hanno "
        "io tu lui lei noi voi loro mi ti si ci vi che come più molto anche",
        "pt": "o a os as um uma uns umas e ou mas se de do da dos das em no na com por para sem é são era ser foi tem "
        "eu tu ele ela nós eles elas me te se lhe que como mais muito também já",
        "nl": "de het een en of maar als van in op aan met voor door bij uit naar is zijn was waren heeft hebben ik "
        "jij hij zij wij jullie me je ze ons dat die dit deze er ook nog al",
        "ca": "el la els les un una uns unes i o però si de del al a en amb per sense és són era ser ha han jo tu ell "
        "ella nosaltres ells elles em et es ens que com més molt també",
        "ru": "и в во на с со к ко по о об от до из у за для а но или же ли бы что как это то так я ты он она оно мы "
        "вы они его её их мой твой свой был была было были есть",
        "bg": "и в във на с със към по за от до из а но или че като това то така аз ти той тя то ние вие те негов "
        "нейн техен е са беше бяха ще се си",
        "el": "ο η το οι τα του της των τον την ένας μια ένα και ή αλλά αν σε στο στη στον στην από με για ως είναι "
        "ήταν εγώ εσύ αυτός αυτή εμείς εσείς αυτοί μου σου του μας σας τους που πως θα να",
        "tr": "ve veya ama fakat ile için gibi bu şu o bir de da mi mı mu mü ben sen biz siz onlar ne çok daha en her "
        "ki kadar sonra önce",
        "sw": "na au lakini kama ya wa la za cha vya kwa katika ni si mimi wewe yeye sisi nyinyi wao huu hii hiyo hilo "
        "kuwa ndiyo pia sana tu",
        "vi": "và hoặc nhưng nếu của cho với trong trên tại từ đến là thì mà được bị có không tôi bạn anh chị ông bà "
        "nó chúng họ này đó một các những cũng rất",
        "hi": "और या लेकिन अगर का की के को में पर से तक है हैं था थे थी हो मैं तुम आप वह वे हम यह ये इस उस जो कि भी तो ही",
        "ar": "و أو لكن إذا في على من إلى عن مع هذا هذه ذلك تلك هو هي هم أنا أنت نحن الذي التي كان كانت قد ثم أن إن",
    }.items()
}


def is_stopword(word: str, lang: str) -> bool:
    """Whether ``word`` is on ``lang``'s list (False for languages without one)."""
    return word.lower() in STOPWORDS.get(lang, frozenset())
