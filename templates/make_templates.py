"""Write the built-in letter templates (templates/NAME.docx) with python-docx.

The wording lives here, in plain text, so that it can be reviewed in a diff; the .docx files
are generated from it (run ``python templates/make_templates.py``) and committed so that a
consultant can open them in Word. Each letter is a real letter: sender block, date,
recipient block, subject line, salutation, body, closing and signature block. Jinja tags are
those of docxtpl: ``{{ field }}`` in text, ``{%p if field %}`` on a paragraph of its own.
The fields each template uses are declared in templates/NAME.yaml beside it.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt

HERE = Path(__file__).resolve().parent
# Spacing that keeps every short letter on one page in Word and LibreOffice (Arial 11) and in
# the tool's built-in PDF renderer (DejaVu Sans 11, a wider face): margins within
# business-letter norms. Arial, not Calibri: Windows and macOS have it, and LibreOffice on
# Linux draws it with Liberation Sans (one of its own dependencies), which has Arial's
# metrics, so the letter breaks the same way everywhere. Without Calibri or its metric twin
# Carlito, LibreOffice drew Calibri with Noto Sans, whose taller lines pushed the signature
# block of two letters onto a second page.
MARGIN_TB = 0.75  # inches, top and bottom
MARGIN_LR = 0.9  # inches, left and right
PARA_GAP = 6  # points before a body paragraph
BULLET_GAP = 2  # points before a bullet
BLOCK_GAP = 9  # points before an address block, the date, the salutation
FIXED_TIME = datetime(2026, 1, 1)  # so that regenerating an unchanged template changes no byte

ECFMG_ADDRESS = (
    "Educational Commission for Foreign Medical Graduates (ECFMG)",
    "3624 Market Street",
    "Philadelphia, PA 19104-2685",
    "USA",
)


class Letter:
    """A small builder over python-docx: blocks of lines, body paragraphs, bullets."""

    def __init__(self, title: str, *, top_margin: float = MARGIN_TB) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = Inches(MARGIN_LR)
        section.top_margin = Inches(top_margin)
        section.bottom_margin = Inches(MARGIN_TB)
        normal = self.doc.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(11)
        normal.paragraph_format.space_after = Pt(0)
        props = self.doc.core_properties
        props.title = title
        props.author = "img-dossier"
        props.comments = ""
        props.subject = ""
        props.keywords = ""
        self.first = True

    def _para(
        self,
        text: str,
        *,
        before: int = 0,
        after: int = 0,
        bold: bool = False,
        style: str | None = None,
        center: bool = False,
        keep: bool = False,
    ) -> None:
        p = self.doc.add_paragraph(style=style)
        if keep:  # Word keeps the signature block on one page (the built-in renderer may not)
            p.paragraph_format.keep_with_next = True
        if text:
            p.add_run(text).bold = bold
        p.paragraph_format.space_before = Pt(0 if self.first else before)
        p.paragraph_format.space_after = Pt(after)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.first = False

    def tag(self, tag: str) -> None:
        """A docxtpl paragraph tag (``{%p if x %}``): the whole paragraph goes at render."""
        self.doc.add_paragraph(tag)

    def block(
        self, *lines: str | tuple[str, str], gap: int = BLOCK_GAP, keep: bool = False
    ) -> None:
        """Lines with no space between them; ("field", "text") lines appear only if field is set.
        ``keep``: each line stays on the page of the next (a signature block)."""
        for i, line in enumerate(lines):
            before = gap if i == 0 else 0
            if isinstance(line, tuple):
                field, text = line
                self.tag(f"{{%p if {field} %}}")
                self._para(text, before=before, keep=keep)
                self.tag("{%p endif %}")
            else:
                self._para(line, before=before, keep=keep)

    def subject(self, text: str) -> None:
        self._para(text, before=BLOCK_GAP, bold=True)

    def title(self, text: str) -> None:
        self._para(text, before=18, after=6, bold=True, center=True)

    def para(self, text: str) -> None:
        self._para(text, before=PARA_GAP)

    def bullet(self, text: str) -> None:
        self._para(text, before=BULLET_GAP, style="List Bullet")

    def save(self, path: Path) -> None:
        """Write byte-for-byte reproducibly: fixed dates in the properties and the ZIP."""
        props = self.doc.core_properties
        props.created = props.modified = FIXED_TIME
        buffer = io.BytesIO()
        self.doc.save(buffer)
        out = io.BytesIO()
        with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
                fixed.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(fixed, src.read(info.filename))
        path.write_bytes(out.getvalue())


def applicant_sender(b: Letter) -> None:
    b.block(
        "{{ applicant.full_name }}",
        ("sender_address", "{{ sender_address }}"),
        "{{ sender_email }}",
        ("sender_phone", "{{ sender_phone }}"),
        gap=0,
    )


def applicant_signature(b: Letter, closing: str = "Sincerely,") -> None:
    b.block(closing, keep=True)
    b.block("", "", gap=0, keep=True)
    b.block("{{ applicant.full_name }}", gap=0)


def lor_request() -> Letter:
    b = Letter("Request for a letter of recommendation")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ referee_name }}",
        ("referee_title", "{{ referee_title }}"),
        "{{ referee_institution }}",
        ("referee_address", "{{ referee_address }}"),
    )
    b.subject(
        "Re: Request for a letter of recommendation for my {{ training.specialty }} "
        "residency application (ERAS)"
    )
    b.block("Dear {{ referee_name }},")
    b.para(
        "I am applying this season for residency training in {{ training.specialty }} in the "
        "United States through the Electronic Residency Application Service (ERAS). "
        "{{ worked_together }}. Because you know my clinical work first-hand, I would be "
        "honoured if you would write a letter of recommendation in support of my application."
    )
    b.para("If you are able to, these are the practical details:")
    b.bullet(
        "The letter is uploaded by you or your designee, not by me, through the ERAS Letter of "
        "Recommendation Portal (LoRP). Your designee may not be someone who advises me on or "
        "supports my application."
    )
    b.bullet(
        "Letter ID: {{ letter_id }} (from my ERAS Letter Request Form, enclosed). My name in "
        "ERAS is {{ applicant.full_name }}; my AAMC ID is {{ aamc_id }}."
    )
    b.bullet(
        "The LoR Portal takes a PDF of at most 1 MB on US Letter pages (8.5 x 11 in), not "
        "encrypted and without a digital signature (a scanned signature is fine), no | * ? : "
        "in its name; ideally on letterhead with your contact details, signed and dated."
    )
    b.bullet(
        "Please address it \u201cDear Program Director\u201d rather than to a particular "
        "program, so that it can be sent to every program I apply to."
    )
    b.tag('{%p if waived == "yes" %}')
    b.bullet("I have waived my right to see the letter.")
    b.tag("{%p else %}")
    b.bullet("I have not waived my right to see the letter.")
    b.tag("{%p endif %}")
    b.bullet("I would be grateful to have it uploaded by {{ deadline|longdate }}.")
    b.para(
        "I enclose my curriculum vitae and my personal statement, and I would be glad to meet "
        "or to send anything else that would help you. If you feel you cannot write a strong "
        "letter at this time, I will understand completely. Thank you for considering this "
        "request; I know how much time a thoughtful letter takes."
    )
    applicant_signature(b)
    b.block("Enclosures: ERAS Letter Request Form; curriculum vitae; personal statement")
    return b


def statement_of_need() -> Letter:
    # The statement's wording is that of the Statement of Need in 22 CFR 62.27
    # (https://www.ecfr.gov/current/title-22/chapter-I/subchapter-H/part-62/subpart-B/section-62.27)
    # as ministries' own templates give it; the regulation's text itself was not retrieved, so
    # the template does not claim to be word for word: the Ministry compares it with the
    # regulation and uses its own procedure and form where it has one. No bracketed
    # placeholder: every blank is a field or a line for the official's hand.
    b = Letter("Statement of Need", top_margin=2.0)
    b.block("{{ today|longdate }}")
    b.block(*ECFMG_ADDRESS)
    b.title('STATEMENT OF {% if exceptional == "yes" %}EXCEPTIONAL {% endif %}NEED')
    b.block(
        "USMLE/ECFMG ID Number: {{ usmle_id }}",
        "Name of Applicant for Visa: {{ applicant.full_name }}",
    )
    b.para(
        "There currently exists in {{ home_country }} "
        '{% if exceptional == "yes" %}an exceptional{% else %}a{% endif %} need for qualified '
        "medical practitioners in the speciality of {{ training.specialty }}"
        "{% if fellowship_title %} ({{ fellowship_title }}){% endif %}. "
        "{{ applicant.full_name }} has filed a written assurance with the government of this "
        "country that {{ pronoun }} will return to this country upon completion of training in "
        "the United States and intends to enter the practice of medicine in the speciality for "
        "which training is being sought."
    )
    b.block("", "", "______________________________________", gap=24, keep=True)
    b.block(
        "Signature of the issuing official",
        "Name: {{ official_name }}",
        "Title: {{ official_title }}",
        "{{ ministry_name }}",
        "Date of signature: ____________________",
        gap=0,
    )
    b.block("", "Stamp (or seal) of the issuing official of {{ home_country }}:", gap=12)
    return b


def statement_of_need_request() -> Letter:
    b = Letter("Request for a Statement of Need")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ official_name }}",
        "{{ official_title }}",
        "{{ ministry_name }}",
        ("ministry_address", "{{ ministry_address }}"),
    )
    b.subject(
        "Re: Request for a Statement of Need for J-1 training in {{ training.specialty }} "
        "in the United States (USMLE/ECFMG ID {{ usmle_id }})"
    )
    b.block("Dear {{ official_name }},")
    b.para(
        "I am a graduate of {{ medical_school.name }} and have been offered a position in "
        "{{ program_name }}, beginning on {{ training.start|longdate }}. To train in the United "
        "States as a J-1 exchange visitor physician sponsored by the Educational Commission for "
        "Foreign Medical Graduates (ECFMG), I need a Statement of Need from the Ministry of "
        "Health of my country of most recent legal permanent residence, {{ home_country }}, "
        "and I respectfully request that the Ministry issue one."
    )
    b.para("ECFMG accepts a Statement of Need only when it:")
    b.bullet(
        "is issued to ECFMG by the central (federal) Ministry of Health on its letterhead;"
    )
    b.bullet(
        "follows the wording prescribed by 22 CFR 62.27 (ecfr.gov); my draft is enclosed, "
        "to be checked against it;"
    )
    b.bullet(
        "names exactly the specialty of my training: {{ training.specialty }}"
        "{% if fellowship_title %}, fellowship: {{ fellowship_title }}{% endif %};"
    )
    b.bullet(
        "bears the Ministry's stamp or seal and the official's dated signature, name and title;"
    )
    b.bullet(
        "is in English or comes with a certified word-for-word English translation."
    )
    b.para(
        "Where the Ministry has its own procedure or form (as in India, Pakistan, and Canada "
        "through Health Canada), please use it. The signed Statement reaches ECFMG by post or "
        "courier in an envelope sealed by the Ministry, or electronically, as ECFMG's "
        "instructions for Ministry officials say. I would be grateful for a copy."
    )
    b.para(
        "I enclose my written assurance to the Government of {{ home_country }} that I will "
        "return on completing my training and practise {{ training.specialty }} there. "
        "My sponsorship cannot be completed without the Statement: I would be most grateful "
        "to have it sent by {{ needed_by|longdate }}."
    )
    applicant_signature(b, "Respectfully,")
    b.block(
        "Enclosures: draft Statement of Need; assurance of return; passport copy; letter of offer"
    )
    return b


def observership_request() -> Letter:
    b = Letter("Request for a clinical observership")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ recipient_name }}",
        ("recipient_title", "{{ recipient_title }}"),
        "{{ department }}",
        "{{ recipient_institution }}",
        ("recipient_address", "{{ recipient_address }}"),
    )
    b.subject(
        "Re: Request for a clinical observership, {{ department }}, "
        "{{ observership_start|longdate }} to {{ observership_end|longdate }}"
    )
    b.block("Dear {{ recipient_name }},")
    b.para(
        "I am writing to ask whether you could host me for a clinical observership in the "
        "{{ department }} at {{ recipient_institution }} from {{ observership_start|longdate }} "
        "to {{ observership_end|longdate }}. I graduated from {{ medical_school.name }} "
        "({{ medical_school.country }}) in {{ medical_school.graduation_year }} and I am "
        "preparing to apply for residency training in {{ training.specialty }}."
    )
    b.tag("{%p if exam_status %}")
    b.para("{{ exam_status }}")
    b.tag("{%p endif %}")
    b.para(
        "I am particularly interested in {{ clinical_interest }}, and observing your team "
        "would show me how this care is organised and taught in your health system."
    )
    b.para(
        "I understand that an observership is observational only, with no hands-on patient "
        "care, and I will complete whatever your institution requires of visiting observers: "
        "its application form and any fee, proof of immunisations and of a recent tuberculosis "
        "test, health insurance, a background check, patient-privacy training and a "
        "confidentiality agreement."
    )
    b.para(
        "I enclose my curriculum vitae. I would be glad to speak by telephone or video call at "
        "a time that suits you. Thank you for considering my request."
    )
    applicant_signature(b)
    b.block("Enclosure: curriculum vitae")
    return b


def letter_of_intent() -> Letter:
    b = Letter("Letter of intent")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ program_director_name }}",
        "Program Director, {{ program_name }}",
        ("program_address", "{{ program_address }}"),
    )
    b.subject("Re: Letter of intent, {{ program_name }} (AAMC ID {{ aamc_id }})")
    b.block("Dear {{ program_director_name }},")
    b.tag("{%p if interview_date %}")
    b.para(
        "Thank you again for the opportunity to interview with {{ program_name }} on "
        "{{ interview_date|longdate }}. Having now completed my interviews, I am writing to "
        "tell you where your program stands for me."
    )
    b.tag("{%p else %}")
    b.para(
        "I am writing to tell you where {{ program_name }} stands for me as I prepare my "
        "rank order list."
    )
    b.tag("{%p endif %}")
    b.tag('{%p if ranks_first == "yes" %}')
    b.para("I intend to rank {{ program_name }} first on my rank order list.")
    b.tag("{%p else %}")
    b.para(
        "{{ program_name }} is among the programs I most hope to join, and I will rank it highly."
    )
    b.tag("{%p endif %}")
    b.para("{{ reasons }}")
    b.para(
        "I am confident that {{ program_name }} is where I would grow into the "
        "{{ training.specialty }} physician I want to become, and that I would contribute "
        "fully to your residents' and patients' care. I do not expect a reply; I simply wanted "
        "you to know how much your program means to me."
    )
    applicant_signature(b)
    return b


def interview_thank_you() -> Letter:
    b = Letter("Interview thank-you letter")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ interviewer_name }}",
        ("interviewer_title", "{{ interviewer_title }}"),
        "{{ program_name }}",
    )
    b.subject("Re: Thank you for my interview on {{ interview_date|longdate }}")
    b.block("Dear {{ interviewer_name }},")
    b.para(
        "Thank you for taking the time to interview me for {{ program_name }} on "
        "{{ interview_date|longdate }}. I enjoyed our conversation, especially about "
        "{{ conversation_topic }}, and it left me with a clear sense of how your residents "
        "learn and of the care they give."
    )
    b.para(
        "Our discussion confirmed my interest in training in {{ training.specialty }} with "
        "your program. Please do not hesitate to contact me if any further information would "
        "be helpful."
    )
    b.para("Thank you again for your time and your welcome.")
    applicant_signature(b, "With kind regards,")
    b.tag("{%p if aamc_id %}")
    b.block("AAMC ID {{ aamc_id }}", gap=0)
    b.tag("{%p endif %}")
    return b


def translation_certification() -> Letter:
    # ECFMG: word-for-word, from the original or a photocopy, by a qualified translator, on
    # letterhead, signed with name and title, seal if any, and the certification statement
    # "I [name] certify that the word-for-word translation is correct."
    # (https://www.ecfmg.org/resources/translation-service.html). The MCC accepts only
    # translations by its listed providers: the template's description says so.
    b = Letter("Certification of translation")
    b.block(
        "{{ translation_service }}",
        ("translator_address", "{{ translator_address }}"),
        ("translator_email", "{{ translator_email }}"),
        ("translator_phone", "{{ translator_phone }}"),
        gap=0,
    )
    b.block("{{ today|longdate }}")
    b.block("To whom it may concern")
    b.subject(
        "Re: Certification of the English translation of {{ document_title }} of "
        "{{ applicant.full_name }}"
    )
    b.title("CERTIFICATION OF TRANSLATION")
    b.para("I, {{ translator_name }}, certify that the word-for-word translation is correct.")
    b.para(
        "The attached English translation is of the document \u201c{{ document_title }}\u201d "
        "issued by {{ document_issuer }} to {{ applicant.full_name }}. I translated it in full "
        "and word for word from {{ source_language }} into English, from the original document "
        "or a photocopy of it and not from a transcription; it is not a summary or an abstract."
    )
    b.para(
        "I sign as {{ translator_title }} of {{ translation_service }}. I am competent to "
        "translate from {{ source_language }} into English, and I am not the holder of the "
        "document."
    )
    b.block("Signed,", keep=True)
    b.block("", "", "______________________________________", gap=0, keep=True)
    b.block(
        "{{ translator_name }}",
        "{{ translator_title }}, {{ translation_service }}",
        "Date: {{ today|longdate }}",
        gap=0,
    )
    b.block("", "[Seal of the translation service, if it has one]", gap=12)
    return b


def carms_reference_request() -> Letter:
    # CaRMS referee guidelines (https://www.carms.ca/match/r-1-main-residency-match/referee/
    # reference-guidelines-r1-referee/): uploaded by the referee, PDF of at most 5 MB,
    # confidential, dated, with the time and duration of contact and the assessments listed.
    b = Letter("Request for a CaRMS reference letter")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ referee_name }}",
        ("referee_title", "{{ referee_title }}"),
        "{{ referee_institution }}",
        ("referee_address", "{{ referee_address }}"),
    )
    b.subject(
        "Re: Request for a reference letter for my CaRMS R-1 application in "
        "{{ training.specialty }}"
    )
    b.block("Dear {{ referee_name }},")
    b.para(
        "I am applying to residency training in {{ training.specialty }} in Canada through "
        "the Canadian Resident Matching Service (CaRMS). {{ worked_together }}. Because you "
        "know my clinical work first-hand, I would be honoured if you would write a reference "
        "letter in support of my application."
    )
    b.para("If you are able to, these are the practical details:")
    b.bullet(
        "CaRMS will e-mail you a reference request; only you (or a translator) can upload the "
        "letter, through the CaRMS referee portal, as a PDF of at most 5 MB."
    )
    b.bullet(
        "CaRMS recommends that the letter state that I have not seen it and will not receive "
        "a copy, the date it was written, and when and for how long you supervised me."
    )
    b.bullet(
        "Programs look for your assessment of my knowledge, problem solving and patient "
        "management, communication, professionalism, reliability and procedural skills."
    )
    b.tag("{%p if structured_form %}")
    b.bullet(
        "Some of my programs ask for a structured reference ({{ structured_form }}), which "
        "CaRMS shows you online."
    )
    b.tag("{%p endif %}")
    b.bullet("I would be grateful to have it uploaded by {{ deadline|longdate }}.")
    b.para(
        "I enclose my curriculum vitae and would be glad to send anything else that would "
        "help. If you feel you cannot write a strong letter at this time, I will understand "
        "completely. Thank you for considering this request."
    )
    applicant_signature(b)
    b.block("Enclosure: curriculum vitae")
    return b


def mspe_request() -> Letter:
    # ECFMG (https://www.ecfmg.org/eras/applicants-documents-index.html): the MSPE on school
    # letterhead with the school seal, signed by the designated official, with the full
    # name. CaRMS (https://carms.zendesk.com/hc/en-us/articles/115004153143): the MSPR is
    # required by all programs; schools may send it through the Undergraduate Portal.
    b = Letter("Request for the MSPE or MSPR and the transcript")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ office_name }}",
        "{{ medical_school.name }}",
        ("school_address", "{{ school_address }}"),
    )
    b.subject(
        "Re: Request for my {{ performance_document }} and my final transcript"
        "{% if student_id %} (student number {{ student_id }}){% endif %}"
    )
    b.block("Dear {{ office_name }},")
    b.para(
        "I graduated in medicine from {{ medical_school.name }} in "
        "{{ medical_school.graduation_year }} and I am applying for residency training in "
        "{{ training.specialty }} through {{ application_service }}. I respectfully request "
        "my {{ performance_document }} and my final transcript."
    )
    b.para("For my application to be accepted, they should:")
    b.bullet(
        "be on the school's letterhead with its seal, signed by the designated official, "
        "and show my full name as in my passport: {{ applicant.full_name }};"
    )
    b.bullet(
        "for the {{ performance_document }}: describe my performance in the clinical "
        "rotations and, if possible, give a recommendation for further training;"
    )
    b.bullet("for the transcript: list every course and rotation with its grade;")
    b.bullet("be in English, or come with an official English translation.")
    b.para("{{ delivery }}")
    b.para(
        "I would be most grateful to have them by {{ needed_by|longdate }}. Thank you for "
        "your help; I will gladly provide anything the office needs."
    )
    applicant_signature(b)
    return b


def no_mspr_letter_request() -> Letter:
    # CaRMS (https://carms.zendesk.com/hc/en-us/articles/115004153223): if the school does
    # not issue an MSPR, a letter explaining why is uploaded in its place; ERAS: the applicant
    # declares it (https://www.ecfmg.org/eras/applicants-documents-overview.html).
    b = Letter("Request for a letter that no MSPR is issued")
    applicant_sender(b)
    b.block("{{ today|longdate }}")
    b.block(
        "{{ office_name }}",
        "{{ medical_school.name }}",
        ("school_address", "{{ school_address }}"),
    )
    b.subject(
        "Re: Request for a letter stating that the school does not issue a "
        "{{ performance_document }}"
    )
    b.block("Dear {{ office_name }},")
    b.para(
        "I graduated in medicine from {{ medical_school.name }} in "
        "{{ medical_school.graduation_year }} and I am applying for residency training in "
        "{{ training.specialty }} through {{ application_service }}. Residency programs expect "
        "a {{ performance_document }} (a dean's letter on my performance in medical school). "
        "As I understand that the school does not issue one, I must explain its absence in my "
        "application, and a letter from the school confirming it would support my explanation."
    )
    b.para(
        "I respectfully request a short letter, on the school's letterhead, signed by the "
        "designated official and with the school's seal, stating that {{ medical_school.name }} "
        "does not issue a {{ performance_document }} or dean's letter to its graduates, and "
        "confirming that I, {{ applicant.full_name }}, graduated in "
        "{{ medical_school.graduation_year }}."
    )
    b.para(
        "I would be most grateful to have it by {{ needed_by|longdate }}. Thank you for your "
        "help."
    )
    applicant_signature(b)
    return b


BUILDERS: dict[str, Callable[[], Letter]] = {
    "lor-request": lor_request,
    "statement-of-need": statement_of_need,
    "statement-of-need-request": statement_of_need_request,
    "observership-request": observership_request,
    "letter-of-intent": letter_of_intent,
    "interview-thank-you": interview_thank_you,
    "translation-certification": translation_certification,
    "carms-reference-request": carms_reference_request,
    "mspe-request": mspe_request,
    "no-mspr-letter-request": no_mspr_letter_request,
}


def main(argv: list[str]) -> int:
    """Write every built-in template (or those named) into templates/."""
    names = argv or list(BUILDERS)
    for name in names:
        BUILDERS[name]().save(HERE / f"{name}.docx")
        sys.stderr.write(f"wrote templates/{name}.docx\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
