#include "fuzztargetregistry.h"

#include <map>

namespace fsllm::fuzz {

namespace {
// Function-local so that registration from other translation units' static initialisers is safe.
std::map<std::string, FuzzTarget>& registry() {
    static std::map<std::string, FuzzTarget> targets;
    return targets;
}
} // namespace

bool FuzzTargetRegistry::add(const std::string& name, FuzzTarget target) {
    registry()[name] = target;
    return true;
}

FuzzTarget FuzzTargetRegistry::find(const std::string& name) {
    const auto it = registry().find(name);
    return it == registry().end() ? nullptr : it->second;
}

std::vector<std::string> FuzzTargetRegistry::names() {
    std::vector<std::string> result;
    for (const auto& [name, target] : registry())
        result.push_back(name);
    return result;
}

} // namespace fsllm::fuzz
