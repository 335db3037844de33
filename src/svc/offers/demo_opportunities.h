/* demo_opportunities.h -- the demo's opportunities (kam demo), after the price lists. */
#ifndef KAM_DEMO_OPPORTUNITIES_H
#define KAM_DEMO_OPPORTUNITIES_H

#include "opportunity.h"

#endif
