#include "disputed/sdk/kit/mime.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::sdk::kit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

MessagePayload sample() {
  MessagePayload m;
  m.kind = "task_assigned";
  m.idempotency_key = "DSP-000042-1:assigned";
  m.message_id = "<abc123.task-assigned@disputes.example.com>";
  m.date = "2026-11-23T08:00:00Z";
  m.from = {"disputes@example.com", "Kredietbeheer, Acme B.V."};
  m.to = {{"anna@example.com", "Anna Jansen"}};
  m.subject = "Taak";
  m.text = "Hallo";
  return m;
}

std::vector<std::string> lines_of(const std::string& mime) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < mime.size()) {
    auto end = mime.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "the message does not end with CRLF";
    if (end == std::string::npos) break;
    out.push_back(mime.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

TEST(Mime, TheSamePayloadGivesTheSameBytesWithCrlfLinesAndTheHeadersInOrder) {
  auto m = sample();
  m.html = "<p>Hallo</p>";
  auto a = write_mime(m), b = write_mime(m);
  ASSERT_TRUE(a.ok()) << a.problem().text();
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->find("\n"), a->find("\r\n") + 1);  // the first LF belongs to a CRLF
  for (std::size_t i = 0; i < a->size(); ++i) {
    if ((*a)[i] == '\n') {
      ASSERT_EQ((*a)[i - 1], '\r') << "bare LF at byte " << i;
    }
  }
  auto lines = lines_of(*a);
  EXPECT_EQ(lines[0], "Date: Mon, 23 Nov 2026 08:00:00 +0000");
  EXPECT_EQ(lines[1], "From: \"Kredietbeheer, Acme B.V.\" <disputes@example.com>");
  EXPECT_EQ(lines[2], "To: Anna Jansen <anna@example.com>");
  EXPECT_EQ(lines[3], "Subject: Taak");
  EXPECT_EQ(lines[4], "Message-ID: <abc123.task-assigned@disputes.example.com>");
  EXPECT_EQ(lines[5], "MIME-Version: 1.0");
  EXPECT_EQ(lines[6], "Content-Type: multipart/alternative;");
  EXPECT_THAT(lines[7], StartsWith(" boundary=\"=_disputed_alt_"));
  // Text first, HTML last (RFC 2046 5.1.4: in increasing order of preference).
  EXPECT_LT(a->find("text/plain"), a->find("text/html"));
}

TEST(Mime, NonAsciiSubjectsAreEncodedWordsOfWholeCharactersAndLinesStayShort) {
  auto m = sample();
  m.subject =
      "Nowe zadanie: sprawdź umowę cenową — DSP-000042 (Przedsiębiorstwo Handlowe Żółć "
      "Spółka z ograniczoną odpowiedzialnością)";
  auto mime = write_mime(m);
  ASSERT_TRUE(mime.ok());
  auto lines = lines_of(*mime);
  std::vector<std::string> subject;
  bool in_subject = false;
  for (const auto& l : lines) {
    if (l.rfind("Subject:", 0) == 0) {
      in_subject = true;
    } else if (in_subject && (l.empty() || l[0] != ' ')) {
      break;
    }
    if (in_subject) subject.push_back(l);
  }
  ASSERT_GT(subject.size(), 1u);  // folded
  std::string decoded;
  for (const auto& l : subject) {
    EXPECT_LE(l.size(), 78u) << l;
    std::istringstream words(l.substr(l.rfind("Subject:", 0) == 0 ? 8 : 0));
    for (std::string w; words >> w;) {
      ASSERT_THAT(w, StartsWith("=?UTF-8?Q?"));
      EXPECT_LE(w.size(), 75u);
      EXPECT_LE(l.size(), 76u);  // RFC 2047 section 2: lines with encoded-words
      std::string q = w.substr(10, w.size() - 12), bytes;
      for (std::size_t i = 0; i < q.size(); ++i) {
        if (q[i] == '_') {
          bytes += ' ';
        } else if (q[i] == '=') {
          bytes += char(std::stoi(q.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          bytes += q[i];
        }
      }
      // Each encoded-word holds whole characters: it is valid UTF-8 on its own.
      EXPECT_EQ(clean_text(bytes, 1000), bytes) << w;
      decoded += bytes;
    }
  }
  EXPECT_EQ(decoded, m.subject);
}

TEST(Mime, BodiesAreQuotedPrintableWithShortLinesWhateverTheTemplateWrote) {
  auto m = sample();
  m.text = "Bedrag = € 120\n.starts with a dot\ntrailing space \n";
  m.html = "<p>" + std::string(5000, 'x') + "</p>";
  auto mime = write_mime(m);
  ASSERT_TRUE(mime.ok());
  for (const auto& l : lines_of(*mime)) EXPECT_LE(l.size(), 78u) << l;
  EXPECT_THAT(*mime, HasSubstr("Bedrag =3D =E2=82=AC 120\r\n"));
  EXPECT_THAT(*mime, HasSubstr("\r\n=2Estarts with a dot\r\n"));
  EXPECT_THAT(*mime, HasSubstr("trailing space=20\r\n"));
  EXPECT_EQ(quoted_printable("a\r\nb"), "a\r\nb");
  // A UTF-8 sequence is never split by a soft line break.
  std::string qp = quoted_printable(std::string(74, 'a') + "€€");
  EXPECT_THAT(qp, HasSubstr("=\r\n=E2=82=AC=E2=82=AC"));
}

TEST(Mime, MostlyNonLatinTextGoesBase64AndTextOnlyIsOnePart) {
  auto m = sample();
  m.text = "Ζητήστε πληροφορίες για το τιμολόγιο";
  auto mime = write_mime(m);
  ASSERT_TRUE(mime.ok());
  EXPECT_THAT(*mime, HasSubstr("Content-Type: text/plain; charset=UTF-8\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n"));
  EXPECT_THAT(*mime, Not(HasSubstr("multipart")));
}

TEST(Mime, AttachmentsGoInMultipartMixedWithRfc2231NamesWhenNotAscii) {
  auto m = sample();
  m.html = "<p>x</p>";
  m.attachments = {{"factuur-42.pdf", "application/pdf", "%PDF-1.4 ..."},
                   {"factuur€42.pdf", "application/pdf", std::string(200, '\x01')}};
  auto mime = write_mime(m);
  ASSERT_TRUE(mime.ok());
  EXPECT_THAT(*mime, HasSubstr("Content-Type: multipart/mixed;\r\n boundary=\"=_disputed_mixed_"));
  EXPECT_THAT(*mime, HasSubstr("Content-Disposition: attachment; filename=\"factuur-42.pdf\""));
  EXPECT_THAT(*mime, HasSubstr("filename*=UTF-8''factuur%E2%82%AC42.pdf"));
  EXPECT_LT(mime->find("multipart/alternative"), mime->find("application/pdf"));
}

TEST(Mime, ExtraHeadersThreadingAndLanguageAreWritten) {
  auto m = sample();
  m.in_reply_to = "<root@disputes.example.com>";
  for (int i = 0; i < 6; ++i)
    m.references.push_back("<ref" + std::to_string(i) +
                           ".long-enough-to-fold@disputes.example.com>");
  m.headers = {{"Auto-Submitted", "auto-generated"},
               {"List-Unsubscribe", "<https://disputes.example.com/u/abc>"},
               {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  m.language = "pl";
  m.cc = {{"lead@example.com", ""}};
  m.reply_to = {{"disputes+DSP-000042@example.com", ""}};
  auto mime = write_mime(m);
  ASSERT_TRUE(mime.ok());
  EXPECT_THAT(*mime, HasSubstr("In-Reply-To: <root@disputes.example.com>\r\n"));
  EXPECT_THAT(*mime, HasSubstr("References: <ref0.long-enough-to-fold@disputes.example.com>\r\n "));
  EXPECT_THAT(*mime, HasSubstr("Content-Language: pl\r\n"));
  EXPECT_THAT(*mime, HasSubstr("Cc: lead@example.com\r\n"));
  EXPECT_THAT(*mime, HasSubstr("Reply-To: disputes+DSP-000042@example.com\r\n"));
  EXPECT_THAT(*mime, HasSubstr("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
  auto bad = sample();
  bad.headers = {{"Subject", "again"}};
  EXPECT_FALSE(write_mime(bad).ok());
}

}  // namespace
}  // namespace disputed::sdk::kit
