"""The SMS wording shipped for each of the project's languages (``core/languages.toml``).

Only Norwegian and English ship approved (``texts.APPROVED_BY_DEFAULT``). Every other language is
seeded unapproved: until a committee member who reads it approves the text on the SMS page (as for
the printed phrases), its readers get the Norwegian text. The committee may change any of them.

Write for a participant reading a phone screen: short sentences, polite, no jargon, one request per
sentence. Say "open meeting" (never "users' meeting" or "consumers"); the Norwegian «brukermøte» is
the committee's own word. The yes and stop words named in a text are words ``sms/inbound.py``
recognises in that language (``languages.toml``); ``{stop}`` is filled with the language's own.
"""

from __future__ import annotations

DEFAULTS: dict[str, dict[str, str]] = {
    "reminder": {
        "nb": "Påminnelse: Brukermøte om {topic} {date} kl. {time}, {venue}. Gratis og frivillig, "
              "alle er velkommen. Svar JA for å melde deg på. Svar {stop} for å slutte å få SMS.",
        "en": "Reminder: open meeting about {topic} on {date} at {time}, {venue}. Free and voluntary, "
              "everyone is welcome. Reply YES to sign up. Reply {stop} to stop these texts.",
        "so": "Xusuusin: Kulanka ku saabsan {topic}, {date} saacadda {time}, {venue}. Waa bilaash oo "
              "ikhtiyaari ah, qof walba waa la soo dhoweynayaa. Ku jawaab HAA si aad isu diiwaangeliso. "
              "Ku jawaab {stop} si aad u joojiso fariimaha.",
        "ar": "تذكير: اجتماع مفتوح حول {topic} يوم {date} الساعة {time}، {venue}. الحضور مجاني وطوعي "
              "والجميع مرحب بهم. أرسل نعم للتسجيل. أرسل {stop} لإيقاف الرسائل.",
        "pl": "Przypomnienie: otwarte spotkanie na temat {topic}, {date}, godz. {time}, {venue}. "
              "Bezpłatne i dobrowolne. Odpowiedz TAK, aby się zapisać. Odpowiedz {stop}, aby zrezygnować.",
        "es": "Recordatorio: reunión abierta sobre {topic} el {date} a las {time}, {venue}. Gratuita y "
              "voluntaria. Responda SÍ para inscribirse. Responda {stop} para no recibir más SMS.",
    },
    "cancellation": {
        "nb": "Avlyst: Brukermøtet om {topic} {date} kl. {time} er avlyst. Vi beklager. "
              "Svar {stop} for å slutte å få SMS.",
        "en": "Cancelled: the open meeting about {topic} on {date} at {time} is cancelled. We are sorry. "
              "Reply {stop} to stop these texts.",
        "so": "Waa la joojiyay: Kulanka ku saabsan {topic}, {date} saacadda {time} waa la joojiyay. "
              "Waan ka xunnahay. Ku jawaab {stop} si aad u joojiso fariimaha.",
        "ar": "إلغاء: تم إلغاء الاجتماع المفتوح حول {topic} يوم {date} الساعة {time}. نعتذر. "
              "أرسل {stop} لإيقاف الرسائل.",
        "pl": "Odwołane: spotkanie na temat {topic}, {date}, godz. {time} zostało odwołane. Przepraszamy. "
              "Odpowiedz {stop}, aby zrezygnować.",
        "es": "Cancelada: la reunión sobre {topic} el {date} a las {time} se ha cancelado. Lo sentimos. "
              "Responda {stop} para no recibir más SMS.",
    },
    "reply_yes": {
        "nb": "Takk! Du er påmeldt brukermøtet {date} kl. {time}. Velkommen!",
        "en": "Thank you! You are signed up for the open meeting on {date} at {time}. Welcome!",
        "so": "Mahadsanid! Waad isku diiwaangelisay kulanka {date} saacadda {time}. Soo dhowow!",
        "ar": "شكراً! تم تسجيلك في لقاء يوم {date} الساعة {time}. أهلاً بك!",
        "pl": "Dziękujemy! Jesteś zapisany/a na spotkanie {date} o {time}. Zapraszamy!",
        "es": "¡Gracias! Está inscrito/a en la reunión del {date} a las {time}. ¡Bienvenido/a!",
    },
    "reply_stop": {
        "nb": "Du får ikke flere SMS fra oss.",
        "en": "You will get no more texts from us.",
        "so": "Fariimo kale nagama heli doontid.",
        "ar": "لن تصلك رسائل أخرى منا.",
        "pl": "Nie otrzymasz od nas więcej SMS-ów.",
        "es": "No recibirá más SMS de nuestra parte.",
    },
    "reply_other": {
        "nb": "Takk for meldingen. Arbeidsutvalget leser den. Svar {stop} for å slutte å få SMS.",
        "en": "Thank you for your message. The committee will read it. Reply {stop} to stop these texts.",
        "so": "Mahadsanid fariintaada. Guddiga ayaa akhrin doona. Ku jawaab {stop} si aad u joojiso fariimaha.",
        "ar": "شكراً على رسالتك. ستقرؤها اللجنة. أرسل {stop} لإيقاف الرسائل.",
        "pl": "Dziękujemy za wiadomość. Komitet ją przeczyta. Odpowiedz {stop}, aby zrezygnować.",
        "es": "Gracias por su mensaje. El comité lo leerá. Responda {stop} para no recibir más SMS.",
    },
    # No placeholders needed: it names no meeting, it asks for consent to texts about coming meetings.
    "opt_in": {
        "nb": "Brukermøte: Dette nummeret ble meldt på SMS fra oss på nettsiden. Svar JA for å få "
              "påminnelser og nyheter om møtene. Svarer du ikke, får du ingen flere SMS fra oss.",
        "en": "Open meeting: this number was signed up for our texts on the website. Reply YES to get "
              "reminders and news of the meetings. If you do not reply, you get no more texts from us.",
        "so": "Kulan furan: lambarkan waxaa looga diiwaangeliyay fariimahayaga bogga internetka. Ku jawaab "
              "HAA si aad u hesho xusuusin iyo war ku saabsan kulamada. Haddii aadan jawaabin, fariimo kale "
              "nagama heli doontid.",
        "ar": "اجتماع مفتوح: سُجّل هذا الرقم لتلقي رسائلنا عبر الموقع. أرسل نعم لتصلك التذكيرات وأخبار "
              "الاجتماعات. إذا لم ترد، فلن تصلك رسائل أخرى منا.",
        "pl": "Otwarte spotkanie: ten numer zapisano na naszej stronie na SMS-y od nas. Odpowiedz TAK, aby "
              "otrzymywać przypomnienia i wiadomości o spotkaniach. Bez odpowiedzi nie dostaniesz od nas "
              "więcej SMS-ów.",
        "es": "Reunión abierta: este número se inscribió en nuestra web para recibir SMS. Responda SÍ para "
              "recibir recordatorios y noticias de las reuniones. Si no responde, no recibirá más SMS.",
    },
    "opt_in_confirmed": {
        "nb": "Takk! Du får nå SMS om brukermøtene. Svar {stop} når som helst for å slutte.",
        "en": "Thank you! You will now get texts about the open meetings. Reply {stop} at any time to stop.",
        "so": "Mahadsanid! Hadda waxaad heli doontaa fariimo ku saabsan kulamada. Ku jawaab {stop} wakhti "
              "kasta si aad u joojiso.",
        "ar": "شكراً! ستصلك الآن رسائل عن الاجتماعات المفتوحة. أرسل {stop} في أي وقت للإيقاف.",
        "pl": "Dziękujemy! Teraz będziesz otrzymywać SMS-y o spotkaniach. Odpowiedz {stop} w dowolnej "
              "chwili, aby zrezygnować.",
        "es": "¡Gracias! Ahora recibirá SMS sobre las reuniones. Responda {stop} en cualquier momento para "
              "darse de baja.",
    },
}
#: The notice after a published meeting moved to another day, time or venue (``meetings/impact.py``
#: offers it). Neutral ("Changed:"), since a move of the venue alone keeps the time; ``{date}``,
#: ``{time}`` and ``{venue}`` are the new ones.
DEFAULTS["moved"] = {
    "nb": "Endret: Brukermøtet om {topic} er nå {date} kl. {time}, {venue}. Velkommen! "
          "Svar {stop} for å slutte å få SMS.",
    "en": "Changed: the open meeting about {topic} is now on {date} at {time}, {venue}. Welcome! "
          "Reply {stop} to stop these texts.",
    "so": "Isbeddel: Kulanka furan ee ku saabsan {topic} hadda wuxuu dhacayaa {date} saacadda {time}, "
          "{venue}. Soo dhowow! Ku jawaab {stop} si aad u joojiso fariimaha.",
    "ar": "تغيير: الاجتماع المفتوح حول {topic} أصبح يوم {date} الساعة {time}، {venue}. أهلاً بكم! "
          "أرسل {stop} لإيقاف الرسائل.",
    "pl": "Zmiana: otwarte spotkanie na temat {topic} odbędzie się {date}, godz. {time}, {venue}. "
          "Zapraszamy! Odpowiedz {stop}, aby zrezygnować.",
    "es": "Cambio: la reunión abierta sobre {topic} será el {date} a las {time}, {venue}. ¡Le "
          "esperamos! Responda {stop} para no recibir más SMS.",
}

#: The seven languages that had no SMS wording before: one table per language, so that a reader of
#: it finds all of its texts together.
_BY_LANGUAGE: dict[str, dict[str, str]] = {
    "ta": {
        "reminder": "நினைவூட்டல்: {topic} பற்றிய திறந்த கூட்டம் {date} அன்று {time} மணிக்கு, {venue}. "
                    "இலவசம், விருப்பமுள்ளவர்கள் வரலாம், அனைவரும் வரவேற்கப்படுகிறார்கள். பதிவு செய்ய ஆம் "
                    "என்று பதில் அனுப்புங்கள். SMS நிறுத்த {stop} என்று பதில் அனுப்புங்கள்.",
        "cancellation": "ரத்து: {date} அன்று {time} மணிக்கு நடக்கவிருந்த {topic} பற்றிய திறந்த கூட்டம் ரத்து "
                        "செய்யப்பட்டது. மன்னிக்கவும். SMS நிறுத்த {stop} என்று பதில் அனுப்புங்கள்.",
        "moved": "மாற்றம்: {topic} பற்றிய திறந்த கூட்டம் இப்போது {date} அன்று {time} மணிக்கு, "
                 "{venue}. வருக! SMS நிறுத்த {stop} என்று பதில் அனுப்புங்கள்.",
        "reply_yes": "நன்றி! {date} அன்று {time} மணிக்கு நடக்கும் கூட்டத்திற்கு நீங்கள் பதிவு "
                     "செய்யப்பட்டுள்ளீர்கள். வருக!",
        "reply_stop": "இனி எங்களிடமிருந்து உங்களுக்கு SMS வராது.",
        "reply_other": "உங்கள் செய்திக்கு நன்றி. குழு அதைப் படிக்கும். SMS நிறுத்த {stop} என்று பதில் "
                       "அனுப்புங்கள்.",
        "opt_in": "திறந்த கூட்டம்: இந்த எண் எங்கள் இணையதளத்தில் SMS பெறப் பதிவு செய்யப்பட்டது. கூட்டங்கள் "
                  "பற்றிய நினைவூட்டல்களையும் செய்திகளையும் பெற ஆம் என்று பதில் அனுப்புங்கள். பதில் "
                  "அனுப்பாவிட்டால், இனி எங்களிடமிருந்து SMS வராது.",
        "opt_in_confirmed": "நன்றி! இனி திறந்த கூட்டங்கள் பற்றிய SMS உங்களுக்கு வரும். எப்போது வேண்டுமானாலும் "
                            "நிறுத்த {stop} என்று பதில் அனுப்புங்கள்.",
    },
    "ti": {
        "reminder": "መዘኻኸሪ: ብዛዕባ {topic} ዝካየድ ክፉት ኣኼባ {date} ሰዓት {time}፣ {venue}። ብናጻን ብድሌትን እዩ፣ "
                    "ኩሉ ሰብ እንቋዕ ብደሓን መጻእኩም። ንምምዝጋብ እወ ኢልኩም መልሱ። መልእኽቲ ንምቁራጽ {stop} ኢልኩም መልሱ።",
        "cancellation": "ተሰሪዙ: ብዛዕባ {topic} {date} ሰዓት {time} ክካየድ ዝነበሮ ክፉት ኣኼባ ተሰሪዙ ኣሎ። ይቕሬታ። "
                        "መልእኽቲ ንምቁራጽ {stop} ኢልኩም መልሱ።",
        "moved": "ለውጢ: ብዛዕባ {topic} ዝካየድ ክፉት ኣኼባ ሕጂ {date} ሰዓት {time} እዩ፣ {venue}። "
                 "እንቋዕ ብደሓን መጻእኩም! መልእኽቲ ንምቁራጽ {stop} ኢልኩም መልሱ።",
        "reply_yes": "የቐንየልና! ኣብቲ {date} ሰዓት {time} ዝካየድ ኣኼባ ተመዝጊብኩም ኣለኹም። እንቋዕ ብደሓን መጻእኩም!",
        "reply_stop": "ካብ ሕጂ ካባና መልእኽቲ ኣይክመጸኩምን እዩ።",
        "reply_other": "ስለ መልእኽትኹም የቐንየልና። ኮሚቴ ከንብቦ እዩ። መልእኽቲ ንምቁራጽ {stop} ኢልኩም መልሱ።",
        "opt_in": "ክፉት ኣኼባ: እዚ ቁጽሪ ኣብ መርበብ ሓበሬታና ንመልእኽትታትና ተመዝጊቡ ኣሎ። ብዛዕባ ኣኼባታት መዘኻኸርን "
                  "ሓበሬታን ንምርካብ እወ ኢልኩም መልሱ። እንተ ዘይመለስኩም፣ ካባና ካልእ መልእኽቲ ኣይክመጸኩምን እዩ።",
        "opt_in_confirmed": "የቐንየልና! ካብ ሕጂ ብዛዕባ ክፉት ኣኼባታት መልእኽቲ ክመጸኩም እዩ። ኣብ ዝኾነ ግዜ ንምቁራጽ "
                            "{stop} ኢልኩም መልሱ።",
    },
    "fa": {
        "reminder": "یادآوری: جلسهٔ باز دربارهٔ {topic} روز {date} ساعت {time}، {venue}. شرکت رایگان و "
                    "اختیاری است و همه خوش آمدند. برای ثبت‌نام بله بفرستید. برای قطع پیامک‌ها {stop} بفرستید.",
        "cancellation": "لغو: جلسهٔ باز دربارهٔ {topic} روز {date} ساعت {time} لغو شد. متأسفیم. برای قطع "
                        "پیامک‌ها {stop} بفرستید.",
        "moved": "تغییر: جلسهٔ باز دربارهٔ {topic} اکنون روز {date} ساعت {time} است، {venue}. خوش "
                 "آمدید! برای قطع پیامک‌ها {stop} بفرستید.",
        "reply_yes": "سپاس! ثبت‌نام شما برای جلسهٔ روز {date} ساعت {time} انجام شد. خوش آمدید!",
        "reply_stop": "دیگر پیامکی از ما دریافت نمی‌کنید.",
        "reply_other": "از پیام شما سپاسگزاریم. کمیته آن را می‌خواند. برای قطع پیامک‌ها {stop} بفرستید.",
        "opt_in": "جلسهٔ باز: این شماره در وب‌سایت ما برای دریافت پیامک‌های ما ثبت شد. برای دریافت یادآوری‌ها "
                  "و اخبار جلسات بله بفرستید. اگر پاسخ ندهید، دیگر پیامکی از ما دریافت نمی‌کنید.",
        "opt_in_confirmed": "سپاس! از این پس پیامک‌های جلسات باز را دریافت می‌کنید. هر زمان برای قطع آن‌ها "
                            "{stop} بفرستید.",
    },
    "ur": {
        "reminder": "یاد دہانی: {topic} کے بارے میں کھلا اجلاس {date} کو {time} بجے، {venue}۔ شرکت مفت اور "
                    "اختیاری ہے، سب کو خوش آمدید۔ رجسٹر ہونے کے لیے ہاں لکھ کر جواب دیں۔ پیغامات بند کرنے کے "
                    "لیے {stop} لکھ کر جواب دیں۔",
        "cancellation": "منسوخ: {topic} کے بارے میں {date} کو {time} بجے ہونے والا کھلا اجلاس منسوخ کر دیا "
                        "گیا ہے۔ ہم معذرت خواہ ہیں۔ پیغامات بند کرنے کے لیے {stop} لکھ کر جواب دیں۔",
        "moved": "تبدیلی: {topic} کے بارے میں کھلا اجلاس اب {date} کو {time} بجے ہوگا، {venue}۔ خوش آمدید! "
                 "پیغامات بند کرنے کے لیے {stop} لکھ کر جواب دیں۔",
        "reply_yes": "شکریہ! آپ {date} کو {time} بجے ہونے والے اجلاس کے لیے رجسٹر ہو گئے ہیں۔ خوش آمدید!",
        "reply_stop": "اب آپ کو ہماری طرف سے مزید پیغامات نہیں آئیں گے۔",
        "reply_other": "آپ کے پیغام کا شکریہ۔ کمیٹی اسے پڑھے گی۔ پیغامات بند کرنے کے لیے {stop} لکھ کر جواب دیں۔",
        "opt_in": "کھلا اجلاس: یہ نمبر ہماری ویب سائٹ پر ہمارے پیغامات کے لیے درج کیا گیا۔ اجلاسوں کی یاد "
                  "دہانیاں اور خبریں پانے کے لیے ہاں لکھ کر جواب دیں۔ اگر آپ جواب نہ دیں تو آپ کو ہماری طرف "
                  "سے مزید پیغامات نہیں آئیں گے۔",
        "opt_in_confirmed": "شکریہ! اب آپ کو کھلے اجلاسوں کے بارے میں پیغامات آئیں گے۔ کسی بھی وقت بند کرنے "
                            "کے لیے {stop} لکھ کر جواب دیں۔",
    },
    "ckb": {
        "reminder": "بیرخستنەوە: کۆبوونەوەی کراوە دەربارەی {topic} لە {date} کاتژمێر {time}، {venue}. "
                    "بێبەرامبەر و ئارەزوومەندانەیە، هەمووان بەخێربێن. بۆ ناونووسین بەڵێ بنێرە. بۆ ڕاگرتنی "
                    "نامەکان {stop} بنێرە.",
        "cancellation": "هەڵوەشایەوە: کۆبوونەوەی کراوە دەربارەی {topic} لە {date} کاتژمێر {time} "
                        "هەڵوەشێنرایەوە. داوای لێبوردن دەکەین. بۆ ڕاگرتنی نامەکان {stop} بنێرە.",
        "moved": "گۆڕانکاری: کۆبوونەوەی کراوە دەربارەی {topic} ئێستا لە {date} کاتژمێر {time}ە، {venue}. "
                 "بەخێربێن! بۆ ڕاگرتنی نامەکان {stop} بنێرە.",
        "reply_yes": "سوپاس! ناوت بۆ کۆبوونەوەی {date} کاتژمێر {time} تۆمار کرا. بەخێربێیت!",
        "reply_stop": "چیتر نامەت لە ئێمەوە بۆ نایەت.",
        "reply_other": "سوپاس بۆ نامەکەت. لیژنەکە دەیخوێنێتەوە. بۆ ڕاگرتنی نامەکان {stop} بنێرە.",
        "opt_in": "کۆبوونەوەی کراوە: ئەم ژمارەیە لە ماڵپەڕەکەمان بۆ وەرگرتنی نامەکانمان تۆمار کرا. بۆ "
                  "وەرگرتنی بیرخستنەوە و هەواڵی کۆبوونەوەکان بەڵێ بنێرە. ئەگەر وەڵام نەدەیتەوە، چیتر نامەت "
                  "لە ئێمەوە بۆ نایەت.",
        "opt_in_confirmed": "سوپاس! لە ئێستاوە نامەت دەربارەی کۆبوونەوە کراوەکان بۆ دێت. هەر کاتێک بۆ "
                            "ڕاگرتن {stop} بنێرە.",
    },
    "kmr": {
        "reminder": "Bîranîn: Civîna vekirî li ser {topic} {date} saet {time}, {venue}. Belaş û bi "
                    "dilxwazî ye, her kes bi xêr hatî. Ji bo tomarkirinê bi ERÊ bersiv bide. Ji bo "
                    "rawestandina SMSan bi {stop} bersiv bide.",
        "cancellation": "Betal bû: Civîna vekirî li ser {topic} {date} saet {time} betal bû. Em xemgîn in. "
                        "Ji bo rawestandina SMSan bi {stop} bersiv bide.",
        "moved": "Guhertin: Civîna vekirî li ser {topic} êdî {date} saet {time} e, {venue}. "
                 "Bi xêr hatî! Ji bo rawestandina SMSan bi {stop} bersiv bide.",
        "reply_yes": "Spas! Tu ji bo civîna {date} saet {time} hatî tomarkirin. Bi xêr hatî!",
        "reply_stop": "Êdî tu ji me SMS wernagirî.",
        "reply_other": "Spas ji bo peyama te. Komîte dê wê bixwîne. Ji bo rawestandina SMSan bi {stop} "
                       "bersiv bide.",
        "opt_in": "Civîna vekirî: Ev hejmar li ser malpera me ji bo SMSên me hat tomarkirin. Ji bo "
                  "bîranîn û nûçeyên civînan bi ERÊ bersiv bide. Heke tu bersiv nedî, êdî tu ji me SMS "
                  "wernagirî.",
        "opt_in_confirmed": "Spas! Niha tu dê SMSan li ser civînên vekirî bistînî. Kengê bixwazî, ji bo "
                            "rawestandinê bi {stop} bersiv bide.",
    },
    "zh-Hans": {
        "reminder": "提醒：关于{topic}的公开会议于{date} {time}举行，地点：{venue}。免费参加，自愿出席，欢迎所有人。"
                    "回复“是”即可报名。回复{stop}即可停止接收短信。",
        "cancellation": "取消通知：原定于{date} {time}举行的关于{topic}的公开会议已取消。敬请谅解。"
                        "回复{stop}即可停止接收短信。",
        "moved": "会议变更：关于{topic}的公开会议现定于{date} {time}举行，地点：{venue}。欢迎参加！"
                 "回复{stop}即可停止接收短信。",
        "reply_yes": "谢谢！您已报名参加{date} {time}的会议。欢迎您！",
        "reply_stop": "您将不会再收到我们的短信。",
        "reply_other": "感谢您的留言。委员会会阅读您的消息。回复{stop}即可停止接收短信。",
        "opt_in": "公开会议：此号码已在我们的网站上登记接收短信。回复“是”即可接收会议提醒和消息。"
                  "如不回复，您将不会再收到我们的短信。",
        "opt_in_confirmed": "谢谢！今后您将收到有关公开会议的短信。随时回复{stop}即可停止接收。",
    },
}

for _language, _bodies in _BY_LANGUAGE.items():
    for _kind, _body in _bodies.items():
        DEFAULTS[_kind][_language] = _body
