#include "lib/readiness/readiness_table.h"

namespace readiness {

ReadinessTable::ReadinessTable(std::span<Registration> registrations,
                               std::span<InterestSlot> interests, ipc::Liveness liveness)
    : m_registrations(registrations), m_interests(interests), m_liveness(liveness) {
    for (Registration& r : m_registrations)
        r = Registration{};
    for (InterestSlot& slot : m_interests)
        slot = InterestSlot{};
}

int32_t ReadinessTable::find(axo_thread_id_t thread) const {
    for (uint32_t i = 0; i < m_registrations.size(); ++i)
        if (m_registrations[i].state != Registration::State::free &&
            m_registrations[i].thread == thread)
            return static_cast<int32_t>(i);
    return -1;
}

void ReadinessTable::end(uint32_t index) {
    Registration& r = m_registrations[index];
    if (r.state == Registration::State::due) --m_due;
    --m_registered;
    r = Registration{};
    for (InterestSlot& slot : m_interests)
        if (slot.object.valid() && slot.registration == index) {
            slot = InterestSlot{};
            --m_used_interests;
        }
}

Error ReadinessTable::arm(axo_thread_id_t thread, uint32_t owner, uint32_t bit,
                          std::span<const Interest> interests) {
    (void)cancel(thread);
    if (bit > 31 || interests.empty()) return Error::invalid_argument;
    for (const Interest& interest : interests)
        if (!interest.object.valid()) return Error::invalid_argument;

    auto free_registration = [this]() -> int32_t {
        for (uint32_t i = 0; i < m_registrations.size(); ++i)
            if (m_registrations[i].state == Registration::State::free)
                return static_cast<int32_t>(i);
        return -1;
    };
    auto room = [&]() {
        return free_registration() >= 0 &&
               m_interests.size() - m_used_interests >= interests.size();
    };
    if (!room() && (reclaim() == 0 || !room())) return Error::no_space;

    uint32_t index = static_cast<uint32_t>(free_registration());
    Registration& r = m_registrations[index];
    r.state = Registration::State::armed;
    ++m_registered;
    r.thread = thread;
    r.owner = owner;
    r.bits = 1u << bit;
    uint32_t placed = 0;
    for (InterestSlot& slot : m_interests) {
        if (placed == interests.size()) break;
        if (slot.object.valid()) continue;
        slot.object = interests[placed].object;
        slot.events = interests[placed].events | kPollAlways;
        slot.registration = index;
        ++placed;
    }
    m_used_interests += placed;
    return Error::ok;
}

bool ReadinessTable::cancel(axo_thread_id_t thread) {
    int32_t index = find(thread);
    if (index < 0) return false;
    end(static_cast<uint32_t>(index));
    return true;
}

uint32_t ReadinessTable::owner_gone(uint32_t owner) {
    uint32_t ended = 0;
    for (uint32_t i = 0; i < m_registrations.size(); ++i)
        if (m_registrations[i].state != Registration::State::free &&
            m_registrations[i].owner == owner) {
            end(i);
            ++ended;
        }
    return ended;
}

uint32_t ReadinessTable::reclaim() {
    uint32_t ended = 0;
    for (uint32_t i = 0; i < m_registrations.size(); ++i)
        if (m_registrations[i].state != Registration::State::free &&
            !m_liveness(m_registrations[i].thread)) {
            end(i);
            ++ended;
        }
    return ended;
}

uint32_t ReadinessTable::update(ReadinessObject object, uint32_t events) {
    if (!object.valid() || events == 0) return 0;
    uint32_t became_due = 0;
    for (const InterestSlot& slot : m_interests) {
        if (!(slot.object == object) || (slot.events & events) == 0) continue;
        Registration& r = m_registrations[slot.registration];
        if (r.state != Registration::State::armed) continue;
        r.state = Registration::State::due;
        r.order = m_stamp++;
        ++m_due;
        ++became_due;
    }
    return became_due;
}

bool ReadinessTable::take_notification(ReadinessNotification* out) {
    if (m_due == 0) return false;
    int32_t oldest = -1;
    uint32_t oldest_age = 0;
    for (uint32_t i = 0; i < m_registrations.size(); ++i) {
        const Registration& r = m_registrations[i];
        if (r.state != Registration::State::due) continue;
        // Ages relative to the next stamp, so the order survives the counter's wrap.
        uint32_t age = m_stamp - r.order;
        if (oldest < 0 || age > oldest_age) {
            oldest = static_cast<int32_t>(i);
            oldest_age = age;
        }
    }
    const Registration& r = m_registrations[static_cast<uint32_t>(oldest)];
    *out = ReadinessNotification{r.thread, r.bits};
    end(static_cast<uint32_t>(oldest));
    return true;
}

uint32_t ReadinessTable::registrations() const {
    uint32_t n = 0;
    for (const Registration& r : m_registrations)
        if (r.state != Registration::State::free) ++n;
    return n;
}

uint32_t ReadinessTable::free_interest_slots() const {
    return static_cast<uint32_t>(m_interests.size()) - m_used_interests;
}

bool ReadinessTable::armed(axo_thread_id_t thread) const {
    int32_t index = find(thread);
    return index >= 0 &&
           m_registrations[static_cast<uint32_t>(index)].state == Registration::State::armed;
}

} // namespace readiness
