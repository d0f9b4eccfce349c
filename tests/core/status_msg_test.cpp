// Status messages built from a message id and named arguments (issue 13):
// the English text is unchanged for logs and the CLI, and a UI gets the parts
// to translate.
#include <doctest/doctest.h>

#include <string>

#include "ccfield/core/forms.h"
#include "ccfield/core/status.h"

namespace ccfield {
namespace {

TEST_CASE("status msg: English() fills in the named arguments") {
  const Msg m("{field} is too long (at most {max} characters)", {{"field", "Notes"}, {"max", "80"}});
  CHECK(m.English() == "Notes is too long (at most 80 characters)");
  CHECK(Msg("{a} and {b} and {a}", {{"a", "x"}}).English() == "x and {b} and x");  // no argument: as written
  CHECK(Msg("no {placeholders} here").English() == "no {placeholders} here");
  CHECK(Msg("{open", {{"open", "x"}}).English() == "{open");
  CHECK(Msg("{x}", {{"x", "{y}"}, {"y", "no"}}).English() == "{y}");  // arguments are not expanded again
}

TEST_CASE("status msg: a Status from a Msg has its English message and one translatable part") {
  const Status st = Status::Invalid(Msg("answer {id}: must be a whole number", {{"id", "depth"}}));
  CHECK(st.code() == Code::kInvalidArgument);
  CHECK(st.message() == "answer depth: must be a whole number");
  REQUIRE(st.parts().size() == 1);
  CHECK(st.parts()[0].id == "answer {id}: must be a whole number");
  CHECK(st.parts()[0].args == Msg::Args{{"id", "depth"}});
  CHECK(Status::Ok().parts().empty());
}

TEST_CASE("status msg: plain text is one part whose id is the text") {
  const Status st = Status::NotFound("no such visit");
  REQUIRE(st.parts().size() == 1);
  CHECK(st.parts()[0].id == "no such visit");
  CHECK(st.parts()[0].args.empty());
}

TEST_CASE("status msg: context goes in front, as text or as a Msg, and the parts follow it") {
  const Status full = Status::DiskFull(Msg("the device's storage is full ({error})", {{"error", "ENOSPC"}}));
  const Status st = full.WithContext("saving photo").WithContext(Msg("visit {id}", {{"id", "v1"}}));
  CHECK(st.code() == Code::kDiskFull);
  CHECK(st.message() == "visit v1: saving photo: the device's storage is full (ENOSPC)");
  REQUIRE(st.parts().size() == 3);
  CHECK(st.parts()[0].id == "visit {id}");
  CHECK(st.parts()[1].id == "saving photo");
  CHECK(st.parts()[2].id == "the device's storage is full ({error})");
  CHECK(full.parts().size() == 1);  // the original is not changed
  CHECK(Status::Ok().WithContext("x").ok());
  const Status plain = Status::Busy("in use").WithContext("opening");
  CHECK(plain.message() == "opening: in use");
  CHECK(plain.parts().size() == 2);
}

TEST_CASE("status msg: a refused answer names the field as before and carries its message id") {
  const FormDef* drainage = nullptr;
  for (const FormDef& f : BuiltinForms()) {
    if (f.id == "drainage_flood") drainage = &f;
  }
  REQUIRE(drainage != nullptr);
  const FormField* asset = drainage->Find("asset_type");
  REQUIRE(asset != nullptr);
  const Status st = ValidateAnswer(*asset, "volcano");
  CHECK(st.message() == "answer asset_type: \"volcano\" is not one of the choices");
  REQUIRE(st.parts().size() == 1);
  CHECK(st.parts()[0].id == "answer {id}: \"{value}\" is not one of the choices");
}

}  // namespace
}  // namespace ccfield
