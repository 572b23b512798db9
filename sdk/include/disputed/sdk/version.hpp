#pragma once
/// @file Versions of the connector SDK and of its binary interface (ABI).

/// ABI major: a plugin built for another major is refused. Bumped on any incompatible change to
/// the types or virtual functions in these headers (2: HttpResponse::failure, the typed reason
/// for a missing answer, replaced the "refused:"/"auth:" prefixes of HttpResponse::error).
#define DISPUTED_SDK_ABI_MAJOR 2
/// ABI minor: additions that old plugins do not use. A plugin whose minor is higher than the
/// host's is refused (it may call what the host lacks); a lower one is accepted. (1: the message
/// action, Action::Kind::kMessage, and Host::plugin_secret.)
#define DISPUTED_SDK_ABI_MINOR 1
/// SDK release (semver), part of the build fingerprint.
#define DISPUTED_SDK_VERSION "2.1.0"
