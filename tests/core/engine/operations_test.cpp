#include "core/engine/operations.hpp"

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "core/engine/views_json.hpp"
#include "core/store/api_keys.hpp"
#include "core/store/sync_store.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class OperationsTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    operations_ = std::make_unique<Operations>(*db_, clock_);
  }
  // Gives up on the dispute's confirmation mail as the dispatcher would; returns the row id.
  std::int64_t give_up_on_confirmation() {
    auto rows = store::Store(*db_).outbox_rows("pending", 10);
    EXPECT_EQ(rows.front().action_key, "DSP-000001:0:confirmation");
    store::SyncStore(*db_).mark_dead(rows.front().id, 8, "retryable: 503", clock_.now());
    return rows.front().id;
  }
  std::unique_ptr<Operations> operations_;
};

TEST_F(OperationsTest, ADeadLetterCarriesItsActionAndReplayMakesItPendingAgain) {
  open();
  auto id = give_up_on_confirmation();
  auto dead = operations_->dead_letters("", 10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, id);
  EXPECT_EQ(dead[0].instance, "notify");
  EXPECT_EQ(dead[0].attempts, 8);
  EXPECT_EQ(dead[0].last_error, "retryable: 503");
  auto j = to_json(dead[0]);
  EXPECT_EQ(j["payload"]["template"], "dispute_confirmation");
  EXPECT_EQ(j["payload"]["to"], "ap@C1.example");
  EXPECT_TRUE(operations_->dead_letters("zendesk-support", 10).empty());

  EXPECT_EQ(operations_->replay_dead_letter("no-such-key").error().code,
            domain::ErrorCode::kNotFound);
  ASSERT_TRUE(operations_->replay_dead_letter("DSP-000001:0:confirmation").ok());
  EXPECT_TRUE(operations_->dead_letters("", 10).empty());
  EXPECT_EQ(store::Store(*db_).outbox_rows("pending", 10).front().id, id);
}

TEST_F(OperationsTest, ConnectorStateCountsEachInstancesPendingAndDeadActions) {
  open();
  give_up_on_confirmation();
  auto states = operations_->connectors({{"notify", "smtp", false}, {"crm", "salesforce", true}});
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].name, "notify");
  EXPECT_EQ(states[0].state, "running");
  EXPECT_EQ(states[0].dead_letters, 1);
  EXPECT_EQ(states[0].pending, 2);  // management information and the task notification
  EXPECT_EQ(states[1].state, "paused");
  EXPECT_EQ(states[1].pending, 0);
  EXPECT_TRUE(to_json(states[1])["last_poll_at"].is_null());
}

TEST_F(OperationsTest, ApiKeysAreStoredAsHashesAndARevokedKeyIsRefusedAtOnce) {
  auto made = operations_->create_api_key("crm-portal", "integration");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(made->key.rfind("dsp_", 0), 0u);
  auto stored = store::ApiKeyStore(*db_).list();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].key_hash, hash_api_key(made->key));
  EXPECT_EQ(stored[0].key_hash.find(made->key.substr(4)), std::string::npos);

  auto found = operations_->active_api_key(made->key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->role, "integration");
  EXPECT_FALSE(operations_->active_api_key("dsp_not-a-key"));
  EXPECT_FALSE(operations_->active_api_key("eyJ.a.jwt"));

  EXPECT_EQ(operations_->create_api_key("crm-portal", "viewer").error().code,
            domain::ErrorCode::kConflict);
  auto bad = operations_->create_api_key("two words", "root");
  EXPECT_EQ(bad.error().code, domain::ErrorCode::kInvalidArgument);
  EXPECT_THAT(bad.error().details[0].field, "name");

  auto revoked = operations_->revoke_api_key("crm-portal");
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked.value(), clock_.now());
  EXPECT_FALSE(operations_->active_api_key(made->key));
  EXPECT_EQ(operations_->revoke_api_key("crm-portal").error().code, domain::ErrorCode::kNotFound);
  EXPECT_THAT(to_json(operations_->api_keys()[0]).dump(), ::testing::Not(HasSubstr("key_hash")));
}

}  // namespace
}  // namespace disputed::engine::testing_support
